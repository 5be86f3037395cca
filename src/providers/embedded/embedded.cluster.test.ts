import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../cluster/index.js';
import { EmbeddedCluster, findJdks } from './index.js';
import { isAlive } from './process.js';
import type { StartedCluster } from '../types.js';

// Each test starts (and stops) clusters of its own beside the run's shared one.
const started: StartedCluster[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

async function start(provider: EmbeddedCluster): Promise<StartedCluster> {
  const cluster = await provider.start();
  started.push(cluster);
  return cluster;
}

async function health(url: string) {
  const cluster = await connect({ target: url });
  try {
    return { info: cluster.info, health: await cluster.health('green') };
  } finally {
    await cluster.close();
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function jdkHome(fits: (major: number) => boolean): Promise<string | undefined> {
  return (await findJdks(process.env)).find((j) => fits(j.major))?.home;
}

describe('EmbeddedCluster', () => {
  it('starts a green 1-node OpenSearch 2.19.1 and removes every trace on stop', async () => {
    const cluster = await new EmbeddedCluster().withVersion('2.19.1').withHeap('512m').start();
    const { info, health: h } = await health(cluster.url);
    expect(info).toMatchObject({ distribution: 'opensearch', version: '2.19.1' });
    expect(h).toMatchObject({ status: 'green', number_of_nodes: 1 });
    expect(cluster).toMatchObject({
      provider: 'embedded',
      distribution: 'opensearch',
      version: '2.19.1',
      nodes: 1,
    });
    expect(await exists(cluster.dataDir!)).toBe(true);

    await cluster.stop();
    expect(isAlive(cluster.pid!)).toBe(false);
    expect(await exists(cluster.dataDir!)).toBe(false);
    await expect(fetch(cluster.url)).rejects.toThrow();
  });

  it('forms a green 3-node cluster that keeps to itself', async () => {
    const cluster = await start(new EmbeddedCluster().withNodes(3).withHeap('512m'));
    const port = Number(new URL(cluster.url).port);
    const { health: h } = await health(cluster.url);
    // Exactly 3: neither the run's shared cluster nor any other joined it.
    expect(h).toMatchObject({ status: 'green', number_of_nodes: 3 });
    const nodes = (await (await fetch(`${cluster.url}/_cat/nodes?h=http,name&format=json`)).json()) as {
      http: string;
    }[];
    expect(nodes.map((n) => Number(n.http.split(':').at(-1))).sort()).toEqual([port, port + 1, port + 2]);
    // A replica needs a second node: green proves shards really spread.
    const put = await fetch(`${cluster.url}/spread`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { number_of_shards: 3, number_of_replicas: 1 } }),
    });
    expect(put.status).toBe(200);
    expect((await health(cluster.url)).health.status).toBe('green');
  });

  it('runs OpenSearch 3.8.0 on Java 21+', async () => {
    const cluster = await start(new EmbeddedCluster().withVersion('3.8.0').withHeap('512m'));
    const { info, health: h } = await health(cluster.url);
    expect(info.version).toBe('3.8.0');
    expect(h.status).toBe('green');
  });

  it('runs OpenSearch 2.19.1 on Java 24+ too (no SecurityManager in the runner)', async () => {
    const modern = await jdkHome((major) => major >= 24);
    expect(modern, 'this machine has a JDK 24 or newer (e.g. Temurin 25)').toBeDefined();
    const cluster = await start(new EmbeddedCluster().withJavaHome(modern!).withHeap('512m'));
    const simulate = await fetch(`${cluster.url}/_ingest/pipeline/_simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        pipeline: { processors: [{ script: { source: 'ctx.twice = ctx.n * 2' } }] },
        docs: [{ _source: { n: 21 } }],
      }),
    });
    const body = (await simulate.json()) as { docs: { doc: { _source: { twice: number } } }[] };
    expect(body.docs[0]!.doc._source.twice).toBe(42);
  });

  it('refuses a port in use before launching anything', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(new EmbeddedCluster().withHttpPort(port).start()).rejects.toThrow(
        `port ${port} is in use; pass --port`,
      );
      await expect(new EmbeddedCluster().withHttpPort(port - 100).start()).rejects.toThrow(
        `transport port ${port} (HTTP port + 100) is in use; pass a different --port`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says which Java is missing', async () => {
    await expect(new EmbeddedCluster().withJavaHome('/nonexistent/jdk').start()).rejects.toThrow(
      'withJavaHome=/nonexistent/jdk is not a Java installation (no bin/java there)',
    );
    const java17 = await jdkHome((major) => major === 17);
    expect(java17, 'this machine has a JDK 17').toBeDefined();
    await expect(new EmbeddedCluster().withVersion('3.8.0').withJavaHome(java17!).start()).rejects.toThrow(
      /^OpenSearch 3\.8\.0 needs Java 21 or newer; found 17\.\d+\.\d+ at .* \(withJavaHome\); install a JDK 21\+ or set FIREDRILL_JAVA_HOME$/,
    );
  });

  it('explains a JVM that dies while starting', async () => {
    // A heap too small for OpenSearch to boot.
    await expect(new EmbeddedCluster().withHeap('16m').start()).rejects.toThrow(
      /^OpenSearch 2\.19\.1 \(17\.\S+ at .*\) exited \(code \d+\) before the cluster turned green: .*(OutOfMemoryError|heap)/i,
    );
  });
});
