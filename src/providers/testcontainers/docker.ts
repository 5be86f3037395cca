import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';
import { FiredrillError } from '../../errors.js';

export const DOCKER_NOT_RUNNING =
  'Docker is not running: start dockerd (sudo dockerd &) or use --provider embedded';

type DockerEndpoint = { socketPath: string } | { host: string; port: number };

/**
 * The daemon this process talks to: DOCKER_HOST when set (unix:// or tcp://), else the standard
 * socket. Rootless and remote setups export DOCKER_HOST, as their docs say.
 */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: '/var/run/docker.sock' };
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new FiredrillError(`DOCKER_HOST '${host}' is not a URL: expected unix:///path or tcp://host:port`);
  }
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:')
    return { host: url.hostname, port: Number(url.port || 2375) };
  throw new FiredrillError(`DOCKER_HOST '${host}' is not supported: use unix:///path or tcp://host:port`);
}

/** One request to the daemon's API; undefined when it does not answer. */
function dockerGet(
  env: NodeJS.ProcessEnv,
  path: string,
  timeoutMs = 3000,
): Promise<{ status: number; body: string } | undefined> {
  const endpoint = dockerEndpoint(env);
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * Whether the daemon answers `GET /_ping`. Only the configured endpoint is asked: a dead
 * DOCKER_HOST must not be silently replaced by some other daemon.
 */
export async function dockerIsRunning(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return (await dockerGet(env, '/_ping'))?.status === 200;
}

export async function ensureDockerRunning(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!(await dockerIsRunning(env))) throw new FiredrillError(DOCKER_NOT_RUNNING);
}

/** testcontainers' client for a daemon known to be running, reached over loopback where it can be. */
export async function dockerClient(env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntimeClient> {
  await ensureDockerRunning(env);
  await preferLoopback(env);
  return getContainerRuntimeClient();
}

/**
 * Where /.dockerenv exists, testcontainers assumes the daemon runs outside this container and
 * reaches containers through the bridge gateway, a private address. When the daemon's bridge
 * interface exists in our own network namespace, the daemon shares our network and published
 * ports answer on loopback, so TESTCONTAINERS_HOST_OVERRIDE=localhost keeps the traffic there.
 * (The bridge's address alone cannot tell: an idle bridge is down and unlisted.) An explicit
 * override wins.
 */
export async function preferLoopback(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.TESTCONTAINERS_HOST_OVERRIDE !== undefined || !('socketPath' in dockerEndpoint(env))) return;
  const res = await dockerGet(env, '/networks/bridge');
  if (res?.status !== 200) return;
  const bridge = JSON.parse(res.body) as { Options?: Record<string, string> };
  const name = bridge.Options?.['com.docker.network.bridge.name'] ?? '';
  if (/^[\w.-]+$/.test(name) && existsSync(`/sys/class/net/${name}`))
    env.TESTCONTAINERS_HOST_OVERRIDE = 'localhost';
}

/** Fails with one line when a host port cannot be bound, before Docker fails with a long one. */
export async function ensurePortFree(port: number): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (!free) throw portInUse(port);
}

export function portInUse(port: number): FiredrillError {
  return new FiredrillError(
    `port ${port} is already in use: pick a free port or leave it out for a random one`,
  );
}
