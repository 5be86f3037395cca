import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCKER_NOT_RUNNING,
  dockerEndpoint,
  dockerIsRunning,
  ensureDockerRunning,
  ensurePortFree,
  preferLoopback,
} from './docker.js';

describe('dockerEndpoint', () => {
  it('uses the standard socket without DOCKER_HOST', () => {
    expect(dockerEndpoint({})).toEqual({ socketPath: '/var/run/docker.sock' });
  });

  it('follows unix:// and tcp:// DOCKER_HOST', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({
      host: '127.0.0.1',
      port: 2375,
    });
  });

  it('rejects what it cannot reach in one line', () => {
    expect(() => dockerEndpoint({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' })).toThrow(
      "DOCKER_HOST 'npipe:////./pipe/docker_engine' is not supported: use unix:///path or tcp://host:port",
    );
    expect(() => dockerEndpoint({ DOCKER_HOST: 'not a url' })).toThrow(/is not a URL/);
  });
});

describe('dockerIsRunning', () => {
  let dir: string;
  let daemon: Server;
  // The interface the fake daemon names as its bridge; `lo` exists in every Linux network namespace.
  let bridge = 'lo';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fd-docker-'));
    // Answers like dockerd: 200 on /_ping, 404 elsewhere.
    daemon = createHttpServer((req, res) => {
      if (req.url === '/_ping') res.writeHead(200).end('OK');
      else if (req.url === '/networks/bridge')
        res.writeHead(200).end(JSON.stringify({ Options: { 'com.docker.network.bridge.name': bridge } }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => daemon.listen(join(dir, 'docker.sock'), resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => daemon.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('is true when the socket answers the ping', async () => {
    expect(await dockerIsRunning({ DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` })).toBe(true);
  });

  it("routes testcontainers over loopback when the daemon's bridge is in our network namespace", async () => {
    const env: NodeJS.ProcessEnv = { DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` };
    await preferLoopback(env);
    expect(env.TESTCONTAINERS_HOST_OVERRIDE).toBe('localhost');

    bridge = 'fd-no-such-bridge';
    const remote: NodeJS.ProcessEnv = { DOCKER_HOST: env.DOCKER_HOST };
    await preferLoopback(remote);
    expect(remote.TESTCONTAINERS_HOST_OVERRIDE).toBeUndefined();

    const chosen: NodeJS.ProcessEnv = { ...remote, TESTCONTAINERS_HOST_OVERRIDE: 'docker.example' };
    bridge = 'lo';
    await preferLoopback(chosen);
    expect(chosen.TESTCONTAINERS_HOST_OVERRIDE).toBe('docker.example');
  });

  it('is false for a dead socket and names the fix', async () => {
    const env = { DOCKER_HOST: `unix://${join(dir, 'dead.sock')}` };
    expect(await dockerIsRunning(env)).toBe(false);
    await expect(ensureDockerRunning(env)).rejects.toThrow(DOCKER_NOT_RUNNING);
  });
});

describe('ensurePortFree', () => {
  it('fails with one line for a bound port and passes once it is released', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await expect(ensurePortFree(port)).rejects.toThrow(
      `port ${port} is already in use: pick a free port or leave it out for a random one`,
    );
    await new Promise((resolve) => server.close(resolve));
    await expect(ensurePortFree(port)).resolves.toBeUndefined();
  });
});
