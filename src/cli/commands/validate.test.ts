import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

/** Runs `firedrill validate` in-process; returns the exit code and what it printed. */
async function validate(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = 0;
  await main(['node', 'firedrill', 'validate', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('firedrill validate (rules)', () => {
  it('passes the repository content', async () => {
    const { code, out } = await validate('--config', 'firedrill.config.yaml');
    expect(out).toMatch(/^rules: \d+ valid, 0 problem\(s\)$/m);
    expect(code).toBe(0);
  });

  it('prints one file:line: field: problem line per problem and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-validate-cli-'));
    cpSync('pipelines', join(dir, 'pipelines'), { recursive: true });
    cpSync('detections', join(dir, 'detections'), { recursive: true });
    const file = join(dir, 'detections', 'an1608', 'an1608-aws-access-key-for-other-user.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('risk_score: 47', 'risk_score: 90')
        .replace('event.action: CreateAccessKey', 'event.action: { in_param: key_admins }'),
    );
    const { code, err } = await validate('--content', dir);
    expect(code).toBe(2);
    expect(err).toContain(`${file}:14: risk_score: 90 does not fit severity medium (22–47)`);
    expect(err).toContain(`${file}:30: where.event.action.in_param: unknown parameter 'key_admins'`);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('names a config file that is not valid', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'fd-validate-cli-')), 'bad.yaml');
    writeFileSync(
      config,
      'parameters:\n  change_window: { days: [someday], hours: { start: 8, end: 18 } }\n',
    );
    const { code, err } = await validate('--config', config);
    expect(code).toBe(2);
    expect(err).toContain(
      `${config}:2: parameters.change_window.days.0: must be equal to one of the allowed values`,
    );
  });
});
