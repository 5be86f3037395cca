import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../errors.js';
import { runCli } from './fixtures/run.js';

/** Runs the CLI with a target nobody listens on. */
const run = (...args: string[]) => runCli(...args, '--target', 'http://127.0.0.1:9');

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
    const { out } = await runCli('deploy', '--help');
    expect(out).toContain('--lock-wait <duration>');
    expect(out).toMatch(/\(default:\s+0s\)/);
  });
});
