import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../errors.js';
import { runCli } from './fixtures/run.js';

const run = runCli;

afterEach(() => vi.restoreAllMocks());

/** Nobody listens on port 9. */
const NOWHERE = 'http://127.0.0.1:9';

describe('the exit-code contract (docs/cli.md)', () => {
  it('has one value per meaning', () => {
    expect(EXIT).toEqual({
      ok: 0,
      failed: 1,
      changes: 2,
      stopped: 3,
      usage: 64,
      content: 65,
      unreachable: 69,
      error: 70,
      refused: 77,
    });
  });

  it.each([
    [['validate', '--bogus']],
    [['no-such-command']],
    [['test', '--provider', 'docker']],
    [['test', '--timeout', 'abc', '--target', NOWHERE]],
    [['alerts', '--limit', 'abc', '--target', NOWHERE]],
    [['alerts', '--limit', '0', '--target', NOWHERE]],
    [['rollback', '--to', '1.5', '--target', NOWHERE]],
    [['cluster', 'up', '--port', 'http']],
    [['cleanup', '--target', NOWHERE]],
    [['test', '--yes', '--target', NOWHERE]],
    [['deploy', '--deployment', 'Bad Name', '--target', NOWHERE]],
  ])('%j is a usage error (64), found before any cluster is contacted', async (...args) => {
    const { code, err } = await run(...args[0]);
    expect(code).toBe(EXIT.usage);
    expect(err).not.toContain('cannot reach');
    expect(err.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('help exits 0', async () => {
    expect((await run('--help')).code).toBe(EXIT.ok);
    expect((await run('validate', '--help')).code).toBe(EXIT.ok);
  });

  it('invalid content outside validate is 65, before connecting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-exit-'));
    cpSync('detections', join(dir, 'detections'), { recursive: true });
    writeFileSync(join(dir, 'detections', 'an1608', 'broken.yaml'), 'id: [\n');
    const { code, err } = await run('deploy', '--content', dir, '--target', NOWHERE, '--yes');
    expect(code).toBe(EXIT.content);
    expect(err).toContain('broken.yaml:');
  });

  it('a cluster nobody answers for is 69', async () => {
    const { code, err } = await run('alerts', '--target', NOWHERE);
    expect(code).toBe(EXIT.unreachable);
    expect(err).toMatch(/^firedrill: error: cannot reach cluster at http:\/\/127.0.0.1:9/);
  });

  describe('a cluster that refuses the credentials', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'security_exception', reason: 'missing authentication' } }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is 77', async () => {
      const { code, err } = await run('alerts', '--target', url);
      expect(code).toBe(EXIT.refused);
      expect(err).toContain(`authentication failed at ${url} (401)`);
    });
  });
});
