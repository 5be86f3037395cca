import { describe, expect, inject, it } from 'vitest';
import { findFreeHttpPort } from '../embedded/ports.js';
import { ExternalCluster } from './index.js';

describe('ExternalCluster', () => {
  it('reports the distribution, version and nodes of a running cluster and leaves it running on stop', async () => {
    const url = inject('clusterUrl');
    const cluster = await new ExternalCluster().withUrl(url).start();
    expect(cluster).toMatchObject({ url, provider: 'external', distribution: 'opensearch' });
    expect(cluster.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cluster.nodes).toBeGreaterThanOrEqual(1);
    await cluster.stop();
    expect((await fetch(url)).status).toBe(200);
  });

  it('fails with one line when nothing answers', async () => {
    const url = `http://localhost:${await findFreeHttpPort(1)}`;
    await expect(new ExternalCluster().withUrl(url).start()).rejects.toThrow(
      `cannot reach cluster at ${url}: connection refused`,
    );
  });

  it('needs a URL from somewhere', async () => {
    await expect(new ExternalCluster().withEnv({}).start()).rejects.toThrow(/^no target cluster/);
  });
});
