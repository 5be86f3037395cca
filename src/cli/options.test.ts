import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../errors.js';
import { main } from './main.js';

/** Runs the CLI in-process with a target nobody listens on; returns the exit code and stderr. */
async function run(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = 0;
  await main(['node', 'firedrill', ...args, '--target', 'http://127.0.0.1:9']);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  vi.restoreAllMocks();
  return { code, err };
}

afterEach(() => vi.restoreAllMocks());

const DURATION = 'is not a duration like 90s, 5m, 1h30m or 14d';
const TIME = "is not 'now', an ISO 8601 time like 2026-01-05T10:00:00Z or a duration ago like 2h";

describe('duration and time flags', () => {
  it.each([
    [['deploy', '--lock-wait', '30'], `--lock-wait: '30' ${DURATION}`],
    [['test', '--timeout', '15'], `--timeout: '15' ${DURATION}`],
    [['health', '--max-age', '24'], `--max-age: '24' ${DURATION}`],
    [['detect', '--interval', '5 s'], `--interval: '5 s' ${DURATION}`],
    [['detect', '--lease', '30'], `--lease: '30' ${DURATION}`],
    [['detect', '--from', 'yesterday'], `--from: 'yesterday' ${TIME}`],
    [['detect', '--from', '2h', '--to', 'soon'], `--to: 'soon' ${TIME}`],
    [['alerts', '--since', '1 hour'], `--since: '1 hour' ${TIME}`],
    [['replay', 'logs', '--shift-to', 'yesterday'], `--shift-to: 'yesterday' ${TIME}`],
  ])('%j fails with one line naming the flag, before any cluster is contacted', async (args, message) => {
    const { code, err } = await run(...args);
    expect(err).toBe(`firedrill: error: ${message}\n`);
    expect(code).toBe(EXIT.usage);
  });

  it('names the unit in the help', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    await main(['node', 'firedrill', 'deploy', '--help']);
    expect(out).toContain('--lock-wait <duration>');
    expect(out).toMatch(/\(default:\s+0s\)/);
  });
});
