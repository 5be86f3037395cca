import { request } from 'node:http';
import { createServer } from 'node:net';
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

/**
 * Whether the daemon answers `GET /_ping`. Only the configured endpoint is asked: a dead
 * DOCKER_HOST must not be silently replaced by some other daemon.
 */
export function dockerIsRunning(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<boolean> {
  const endpoint = dockerEndpoint(env);
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function ensureDockerRunning(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!(await dockerIsRunning(env))) throw new FiredrillError(DOCKER_NOT_RUNNING);
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
