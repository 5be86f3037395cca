import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterPorts, ensureClusterPortsFree, findFreeHttpPort, isPortFree } from './ports.js';

const servers: Server[] = [];
async function occupy(port: number, host = '127.0.0.1'): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
}
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('ports', () => {
  it('gives node i HTTP port + i and transport port + 100 + i', () => {
    expect(clusterPorts(9200, 3)).toEqual({ http: [9200, 9201, 9202], transport: [9300, 9301, 9302] });
  });

  it('sees a listener on IPv4 loopback', async () => {
    const port = await freePort();
    expect(await isPortFree(port)).toBe(true);
    await occupy(port);
    expect(await isPortFree(port)).toBe(false);
  });

  it('names the busy HTTP port of any node', async () => {
    const port = await findFreeHttpPort(3);
    await occupy(port + 2);
    await expect(ensureClusterPortsFree(port, 3)).rejects.toThrow(`port ${port + 2} is in use; pass --port`);
    await expect(ensureClusterPortsFree(port, 1)).resolves.toBeUndefined();
  });

  it('names a busy transport port', async () => {
    const port = await findFreeHttpPort(1);
    await occupy(port + 100);
    await expect(ensureClusterPortsFree(port, 1)).rejects.toThrow(
      `transport port ${port + 100} (HTTP port + 100) is in use; pass a different --port`,
    );
  });

  it('skips a block with a busy port when choosing one', async () => {
    const busy = await findFreeHttpPort(1);
    await occupy(busy + 100);
    const draws = [(busy - 20_000 + 0.5) / 40_000];
    let calls = 0;
    const chosen = await findFreeHttpPort(1, () => {
      calls++;
      return draws.shift() ?? Math.random();
    });
    expect(calls).toBeGreaterThan(1);
    expect(chosen).not.toBe(busy);
  });
});
