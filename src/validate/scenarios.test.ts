import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentErrors } from '../errors.js';
import { loadScenario, loadScenarios, loadTemplates } from './scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'fd-scenarios-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const valid = `name: tiny
description: one event
kind: attack
attack: [{ technique: T1136.003 }]
identities:
  admin: { template: aws.iam-user }
events:
  - { at: +0s, template: aws.iam.CreateUser, actor: admin }
expect:
  must_fire: [{ rule: some-rule }]
  must_not_fire: none
`;

describe('scenario files', () => {
  it('loads the library shipped in scenarios/', () => {
    const scenarios = loadScenarios(['scenarios']);
    expect(scenarios.length).toBeGreaterThan(0);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  it('fills defaults', () => {
    const s = loadScenario(write('ok.yaml', valid));
    expect(s.seed).toBe('tiny');
    expect(s.start).toBe('2026-01-05T10:00:00Z');
    expect(s.expect.must_not_fire).toBe('none');
  });

  it('names file, line and field of a schema problem', () => {
    const file = write('bad.yaml', valid.replace('kind: attack', 'kind: sneaky'));
    expect(() => loadScenario(file)).toThrow(`${file}:3: kind: must be equal to one of the allowed values`);
  });

  it('rejects an unknown actor with its line', () => {
    const file = write('actor.yaml', valid.replace('actor: admin }', 'actor: nobody }'));
    expect(() => loadScenario(file)).toThrow(
      new RegExp(`${file}:8: events.0.actor: unknown identity 'nobody'`),
    );
  });

  it('rejects an attack scenario that expects nothing, and a bad offset', () => {
    const file = write(
      'empty.yaml',
      valid.replace('must_fire: [{ rule: some-rule }]', 'must_fire: []').replace('at: +0s', 'at: soon'),
    );
    try {
      loadScenario(file);
      expect.unreachable();
    } catch (error) {
      const messages = (error as ContentErrors).errors.map((e) => e.message);
      expect(messages).toContain(`${file}:8: events.0.at: is not an offset like +5m, -3d or +1.5s`);
    }
    const noFire = write('nofire.yaml', valid.replace('must_fire: [{ rule: some-rule }]', 'must_fire: []'));
    expect(() => loadScenario(noFire)).toThrow(
      /expect.must_fire: an attack scenario must expect at least one alert/,
    );
  });

  it('names the line of an event whose template does not exist when records are generated', async () => {
    const { generateRecords } = await import('../scenarios/generate.js');
    const file = write(
      'tpl.yaml',
      valid.replace('template: aws.iam.CreateUser', 'template: aws.iam.CreateUsr'),
    );
    expect(() => generateRecords(loadScenario(file), loadTemplates('scenarios/templates'))).toThrow(
      `${file}:8: events.0.template: unknown template 'aws.iam.CreateUsr'`,
    );
  });

  it('loads templates and rejects a template defined twice', () => {
    const library = loadTemplates('scenarios/templates');
    expect(library.events.get('aws.iam.CreateUser')?.source).toBe('aws-cloudtrail');
    expect(library.identities.has('gcp.user')).toBe(true);
    const tdir = mkdtempSync(join(tmpdir(), 'fd-templates-'));
    const t = 'source: aws-cloudtrail\nevents:\n  x.y:\n    record: { a: 1 }\n';
    writeFileSync(join(tdir, 'a.yaml'), t);
    writeFileSync(join(tdir, 'b.yaml'), t);
    expect(() => loadTemplates(tdir)).toThrow(/b.yaml:3: events.x.y: template 'x.y' is also defined in/);
  });
});
