import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../content/config.js';
import { compileAll } from '../compile/index.js';
import { isTimeZone, loadConfig } from './config.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fd-config-')), 'firedrill.config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('reads the example config at the repository root', () => {
    const config = loadConfig('firedrill.config.yaml');
    expect(config.targets.local?.url).toBe('http://localhost:9200');
    expect(config.keepEventOriginal).toBe(false);
    expect(config.parameters.approved_provisioners).toContain(
      'arn:aws:iam::111122223333:role/terraform-provisioner',
    );
    expect(config.parameters.change_window).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      hours: { start: 8, end: 18 },
    });
  });

  it('fills what a file leaves out with the documented defaults', () => {
    const config = loadConfig(
      configFile('parameters:\n  approved_provisioners: [terraform]\n  admins: [alice]\n'),
    );
    expect(config.parameters).toEqual({
      ...defaultConfig().parameters,
      approved_provisioners: ['terraform'],
      admins: ['alice'],
    });
    expect(config.targets).toEqual({});
  });

  it.each([
    [
      'parameters:\n  change_window:\n    days: [mon, funday]\n    hours: { start: 8, end: 18 }\n',
      ':3: parameters.change_window.days.1: must be equal to one of the allowed values (one of: mon, tue, wed, thu, fri, sat, sun)',
    ],
    [
      'parameters:\n  change_window:\n    days: [mon]\n    hours: { start: 8, end: 8 }\n',
      ':4: parameters.change_window.hours: start and end are the same hour (an empty window); use start 0, end 24 for all day',
    ],
    [
      'parameters:\n  change_window:\n    days: [mon]\n    hours: { start: 8, end: 25 }\n',
      ':4: parameters.change_window.hours.end: must be <= 24',
    ],
    ['targets:\n  prod:\n    url: ftp://x\n', ':3: targets.prod.url: is not an http:// or https:// URL'],
    ['keep_event_orignal: true\n', ':1: keep_event_orignal: unknown field'],
    [
      'parameters:\n  approved_provisioners: arn:aws:iam::111122223333:role/x\n',
      ':2: parameters.approved_provisioners: must be array',
    ],
  ])('rejects %j with file, line and field', (text, message) => {
    const file = configFile(text);
    expect(() => loadConfig(file)).toThrow(`${file}${message}`);
  });

  it('says when a named config file does not exist', () => {
    expect(() => loadConfig('/nonexistent/firedrill.config.yaml')).toThrow(
      '/nonexistent/firedrill.config.yaml: config file not found',
    );
  });
});

describe('change_window.timezone', () => {
  it('takes an IANA zone and refuses anything else at its line', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('+02:00')).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'fd-tz-'));
    const file = join(dir, 'firedrill.config.yaml');
    writeFileSync(
      file,
      'parameters:\n  change_window:\n    days: [mon]\n    hours: { start: 8, end: 18 }\n    timezone: Mars/Olympus_Mons\n',
    );
    expect(() => loadConfig(file)).toThrow(
      `${file}:5: parameters.change_window.timezone: 'Mars/Olympus_Mons' is not an IANA time zone like Europe/Berlin or America/New_York`,
    );
  });

  it('is compiled into the pipelines that set firedrill.time', () => {
    const config = defaultConfig();
    config.parameters.change_window.timezone = 'Europe/Berlin';
    const pipelines = compileAll({ config }).filter((r) => r.kind === 'pipeline');
    const withZone = pipelines.filter((p) => JSON.stringify(p.body).includes('"timezone":"Europe/Berlin"'));
    expect(withZone.map((p) => p.id).sort()).toEqual([
      'firedrill-aws-cloudtrail',
      'firedrill-azure-audit',
      'firedrill-gcp-audit',
    ]);
    expect(
      compileAll({ config: defaultConfig() }).some((r) => JSON.stringify(r.body).includes('"timezone"')),
    ).toBe(false);
  });
});
