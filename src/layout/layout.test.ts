import { describe, expect, it } from 'vitest';
import { SOURCES, sourceById } from '../sources/index.js';
import { checkDeploymentName, Layout, layoutOf } from './layout.js';

describe('Layout', () => {
  const trail = sourceById('aws-cloudtrail')!;

  it('gives the default deployment the plain names Elastic-style tooling expects', () => {
    const layout = layoutOf();
    expect(layout.eventIndex(trail)).toBe('logs-aws.cloudtrail-default');
    expect(layout.eventPattern(trail)).toBe('logs-aws.cloudtrail-*');
    expect(layout.routerPipeline).toBe('firedrill-router');
    expect(layout.sourcePipeline(trail)).toBe('firedrill-aws-cloudtrail');
    expect([layout.alertsIndex, layout.rulesIndex, layout.engineStateIndex]).toEqual([
      'firedrill-alerts',
      'firedrill-rules',
      'firedrill-engine-state',
    ]);
    expect([layout.incomingIndex, layout.deadLetterIndex, layout.eventIndices]).toEqual([
      'logs-firedrill.incoming-default',
      'logs-firedrill.deadletter-default',
      'logs-*',
    ]);
  });

  it('prefixes every owned name of another deployment, so patterns of one never match the other', () => {
    const drill = new Layout('drill-1');
    expect(drill.eventIndex(trail)).toBe('drill-1-logs-aws.cloudtrail-default');
    expect(drill.alertsIndex).toBe('drill-1-firedrill-alerts');
    for (const source of SOURCES)
      expect(drill.eventIndex(source).startsWith(layoutOf().eventPattern(source).replace('*', ''))).toBe(
        false,
      );
    // One history for the whole cluster: every deployment can be listed and rolled back.
    expect(drill.historyIndex).toBe(layoutOf().historyIndex);
  });

  it('renames every owned name inside content bodies, and no other text', () => {
    const body = {
      index_patterns: ['logs-aws.cloudtrail-*'],
      composed_of: ['firedrill-ecs'],
      processors: [{ pipeline: { name: 'firedrill-{{{firedrill.source}}}' } }],
      description: 'called by firedrill-router',
      other: 'my-logs-x',
    };
    expect(new Layout('t1').scope(body)).toEqual({
      index_patterns: ['t1-logs-aws.cloudtrail-*'],
      composed_of: ['t1-firedrill-ecs'],
      processors: [{ pipeline: { name: 't1-firedrill-{{{firedrill.source}}}' } }],
      description: 'called by t1-firedrill-router',
      other: 'my-logs-x',
    });
    expect(layoutOf().scope(body)).toBe(body);
  });

  it('accepts plain deployment names and rejects what would break ids and descriptions', () => {
    expect(checkDeploymentName('prod-eu_1.a')).toBe('prod-eu_1.a');
    for (const bad of ['', 'Prod', 'a b', 'a]b', '-x', 'x'.repeat(65), 'logs', 'firedrill'])
      expect(() => checkDeploymentName(bad)).toThrow(/^invalid deployment name/);
    expect(new Layout('drill-1').ownedPatterns).toEqual(['drill-1-firedrill-*', 'drill-1-logs-*']);
    expect(layoutOf().ownedPatterns).toEqual([]);
  });
});
