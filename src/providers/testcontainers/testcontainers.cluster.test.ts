import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect } from '../../cluster/index.js';
import { DISTRIBUTIONS, stopTestcontainersCluster, TestcontainersCluster } from './index.js';
import type { StartedCluster } from '../types.js';
import { containerExists, dockerSkipReason, localImagesOf } from './fixtures/docker.js';

const skip = await dockerSkipReason();
const named = (title: string, reason?: string) => (reason ? `${title} (skipped: ${reason})` : title);
const STARTUP = 300_000;

/** A port nothing listens on right now, so a fixed-port test cannot collide with other runs. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `check` against a started cluster, then stops it and proves no container is left behind. */
async function withCluster(started: StartedCluster, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } finally {
    await started.stop();
  }
  expect(await containerExists(started.containerId!)).toBe(false);
}

/** Connects, and proves the cluster stores and finds a document with every shard copy allocated. */
async function expectUsable(url: string, nodes: number, replicas: number): Promise<void> {
  const cluster = await connect({ target: url });
  try {
    expect(cluster.info.distribution).toBe('opensearch');
    await cluster.createIndex('fd-docker-smoke', {
      settings: { number_of_shards: 3, number_of_replicas: replicas },
    });
    const [item] = await cluster.bulk(
      [{ index: { _index: 'fd-docker-smoke', _id: '1' }, doc: { ok: true } }],
      {
        refresh: true,
      },
    );
    expect(item?.status).toBe(201);
    expect(await cluster.count('fd-docker-smoke')).toBe(1);
    const health = await cluster.request<{ status: string; number_of_nodes: number; active_shards: number }>({
      method: 'GET',
      path: '/_cluster/health',
      query: { wait_for_status: 'green', timeout: '60s' },
    });
    expect(health.body).toMatchObject({
      status: 'green',
      number_of_nodes: nodes,
      active_shards: 3 * (1 + replicas),
    });
  } finally {
    await cluster.close();
  }
}

describe.skipIf(!!skip)(
  named('testcontainers provider with the local firedrill/opensearch image', skip),
  () => {
    it(
      'starts one node: OpenSearch 2.19.1, green, storing and finding documents',
      async () => {
        const started = await new TestcontainersCluster().withVersion('2.19.1').start();
        await withCluster(started, async () => {
          expect(started).toMatchObject({
            distribution: 'opensearch',
            version: '2.19.1',
            nodes: 1,
            provider: 'testcontainers',
          });
          // A daemon on this machine is reached over loopback, never over its private bridge address.
          if (!process.env.DOCKER_HOST) expect(new URL(started.url).hostname).toBe('localhost');
          await expectUsable(started.url, 1, 0);
        });
      },
      STARTUP,
    );

    it(
      'starts three nodes in one container, with replicas spread over them',
      async () => {
        const started = await new TestcontainersCluster().withNodes(3).start();
        await withCluster(started, async () => {
          expect(started).toMatchObject({ distribution: 'opensearch', version: '2.19.1', nodes: 3 });
          // Two replicas of every shard can only be green when three nodes hold them.
          await expectUsable(started.url, 3, 2);
        });
      },
      STARTUP,
    );

    it(
      'binds the chosen host port and reuses the running container',
      async () => {
        const port = await freePort();
        const first = await new TestcontainersCluster().withHttpPort(port).withReuse().start();
        await withCluster(first, async () => {
          expect(new URL(first.url).port).toBe(String(port));
          const again = await new TestcontainersCluster().withHttpPort(port).withReuse().start();
          expect(again.containerId).toBe(first.containerId);
          await expect(new TestcontainersCluster().withHttpPort(port).start()).rejects.toThrow(
            `port ${port} is already in use`,
          );
        });
      },
      STARTUP,
    );

    it(
      'stops a recorded cluster by container id, and a gone one quietly',
      async () => {
        const started = await new TestcontainersCluster().start();
        await stopTestcontainersCluster(started.containerId!);
        expect(await containerExists(started.containerId!)).toBe(false);
        await expect(stopTestcontainersCluster(started.containerId!)).resolves.toBeUndefined();
      },
      STARTUP,
    );

    it('names a missing local image and the command that builds it', async () => {
      await expect(new TestcontainersCluster().withVersion('0.0.1').start()).rejects.toThrow(
        'image firedrill/opensearch:0.0.1 not found locally and cannot be pulled: run FIREDRILL_OPENSEARCH_VERSIONS=0.0.1 bash docker/setup.sh',
      );
    });

    it('names an explicit image that cannot be pulled', async () => {
      await expect(
        new TestcontainersCluster().withImage('firedrill-test/no-such-image:0').start(),
      ).rejects.toThrow(/^image firedrill-test\/no-such-image:0 not found locally and cannot be pulled: \S/);
    });
  },
);

describe.skipIf(!!skip)(
  named('testcontainers provider with other local firedrill/opensearch versions', skip),
  async () => {
    // docker/setup.sh builds more versions on request, e.g. FIREDRILL_OPENSEARCH_VERSIONS="2.19.1 3.8.0".
    const others = skip
      ? []
      : (await localImagesOf('firedrill/opensearch')).filter(
          (tag) => !tag.endsWith(`:${DISTRIBUTIONS.opensearch.defaultVersion}`),
        );
    it.skipIf(others.length === 0)(
      named('starts each of them', others.length ? undefined : 'only the default version is built'),
      async () => {
        for (const image of others) {
          const version = image.split(':').pop()!;
          const started = await new TestcontainersCluster().withVersion(version).start();
          await withCluster(started, async () => {
            expect(started).toMatchObject({ distribution: 'opensearch', version });
            await expectUsable(started.url, 1, 0);
          });
        }
      },
      STARTUP,
    );
  },
);

describe.skipIf(!!skip)(named('testcontainers provider with official images', skip), async () => {
  const noImage = (distribution: string) =>
    `no ${distribution} image exists locally and no registry is reachable to pull one`;
  const esImage = skip ? undefined : (await localImagesOf(DISTRIBUTIONS.elasticsearch.repository))[0];
  const osImage = skip ? undefined : (await localImagesOf(DISTRIBUTIONS.opensearch.repository))[0];

  it.skipIf(!esImage)(
    named('starts Elasticsearch from the official image', esImage ? undefined : noImage('Elasticsearch')),
    async () => {
      const version = esImage!.split(':').pop()!;
      const started = await new TestcontainersCluster()
        .withDistribution('elasticsearch')
        .withVersion(version)
        .start();
      await withCluster(started, async () => {
        expect(started).toMatchObject({ distribution: 'elasticsearch', version, nodes: 1 });
      });
    },
    STARTUP,
  );

  it.skipIf(!osImage)(
    named('starts OpenSearch from the official image', osImage ? undefined : noImage('official OpenSearch')),
    async () => {
      const started = await new TestcontainersCluster().withImage(osImage!).start();
      await withCluster(started, () => expectUsable(started.url, 1, 0));
    },
    STARTUP,
  );
});
