import { createServer } from 'node:net';
import { FiredrillError } from '../../errors.js';

/** Transport ports sit this far above HTTP ports, as 9200 ↔ 9300 by convention. */
export const TRANSPORT_OFFSET = 100;

/** The HTTP and transport ports of an N-node cluster whose first node answers HTTP on `httpPort`. */
export function clusterPorts(httpPort: number, nodes: number): { http: number[]; transport: number[] } {
  const http = Array.from({ length: nodes }, (_, i) => httpPort + i);
  return { http, transport: http.map((p) => p + TRANSPORT_OFFSET) };
}

/** Free when neither IPv4 nor IPv6 loopback has a listener (OpenSearch binds both by default). */
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) {
    const outcome = await tryListen(port, host);
    if (outcome === 'in-use') return false;
  }
  return true;
}

function tryListen(port: number, host: string): Promise<'free' | 'in-use' | 'no-such-address'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT' ? 'no-such-address' : 'in-use'),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/** One clear line naming the first busy port, before a JVM is launched that would fail later and vaguely. */
export async function ensureClusterPortsFree(httpPort: number, nodes: number): Promise<void> {
  const ports = clusterPorts(httpPort, nodes);
  for (const port of ports.http)
    if (!(await isPortFree(port))) throw new FiredrillError(`port ${port} is in use; pass --port`);
  for (const port of ports.transport)
    if (!(await isPortFree(port)))
      throw new FiredrillError(
        `transport port ${port} (HTTP port + ${TRANSPORT_OFFSET}) is in use; pass a different --port`,
      );
}

/** An HTTP port whose whole block (HTTP and transport, every node) is free. */
export async function findFreeHttpPort(nodes: number, random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20_000 + Math.floor(random() * 40_000);
    const { http, transport } = clusterPorts(candidate, nodes);
    const free = await Promise.all([...http, ...transport].map(isPortFree));
    if (free.every(Boolean)) return candidate;
  }
  throw new FiredrillError('found no free block of ports for an embedded cluster; pass --port');
}
