import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePipelines } from './index.js';

type Processors = Record<string, Record<string, unknown>>[];

function router(keepOriginal: boolean): Processors {
  const resource = compilePipelines('pipelines', { keepOriginal }).find((r) => r.id === 'firedrill-router');
  return resource!.body.processors as Processors;
}

describe('compilePipelines', () => {
  it('orders component templates, index templates, then pipelines', () => {
    const kinds = compilePipelines().map((r) => r.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => order(a) - order(b)));
    expect(new Set(kinds)).toEqual(new Set(['component_template', 'index_template', 'pipeline']));
  });

  it('inlines script files and leaves no firedrill-only keys in what the cluster receives', () => {
    const aws = compilePipelines().find((r) => r.kind === 'pipeline' && r.id === 'firedrill-aws-cloudtrail')!;
    const mapFields = (aws.body.processors as Processors).find((p) => p.script?.tag === 'map-fields')!;
    const source = mapFields.script!.source as string;
    expect(source.startsWith(readFileSync('pipelines/scripts/copy-fields.painless', 'utf8'))).toBe(true);
    expect(source).toContain(readFileSync('pipelines/scripts/categorise.painless', 'utf8'));
    expect(source).toContain('boolean self = requested.userName == null');
    const text = JSON.stringify(compilePipelines());
    expect(text).not.toContain('source_files');
    expect(text).not.toContain('unless_option');
  });

  it('splits the paths copy-fields.painless copies into lists of keys, once, at compile time', () => {
    const aws = compilePipelines().find((r) => r.kind === 'pipeline' && r.id === 'firedrill-aws-cloudtrail')!;
    const params = (aws.body.processors as Processors).find((p) => p.script?.tag === 'map-fields')!.script!
      .params as Record<string, unknown>;
    expect((params.scalars as unknown[])[0]).toEqual([
      ['json', 'eventID'],
      ['event', 'id'],
    ]);
    expect((params.objects as unknown[][])[0]![2]).toEqual(['aws', 'cloudtrail', 'request_parameters']);
    const actions = params.actions as Record<string, { copy?: unknown[] }>;
    expect(actions['identitystore.amazonaws.com:CreateGroup']!.copy![1]).toEqual([
      ['json', 'responseElements', 'groupId'],
      ['group', 'id'],
    ]);
    // Left for the scripts' own dotted-path calls: constants and everything else.
    expect(Object.keys(params.constants as object)).toContain('event.dataset');
  });

  it('removes event.original unless keep_event_original is on', () => {
    const drops = (p: Processors) => p.some((x) => x.remove?.tag === 'drop-event-original');
    expect(drops(router(false))).toBe(true);
    expect(drops(router(true))).toBe(false);
  });
});

function order(kind: string): number {
  return ['component_template', 'index_template', 'pipeline'].indexOf(kind);
}
