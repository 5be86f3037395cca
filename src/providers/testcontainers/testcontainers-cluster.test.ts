import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DOCKER_NOT_RUNNING } from './docker.js';
import { GenericContainer } from 'testcontainers';
import { publishOnLoopback, TestcontainersCluster } from './testcontainers-cluster.js';

describe('TestcontainersCluster configuration', () => {
  it('publishes ports on 127.0.0.1 only, random or fixed', () => {
    const container = new GenericContainer('firedrill/opensearch:2.19.1').withExposedPorts(9200, {
      container: 9300,
      host: 19300,
    });
    publishOnLoopback(container);
    const { hostConfig } = container as unknown as { hostConfig: { PortBindings: unknown } };
    expect(hostConfig.PortBindings).toEqual({
      '9200/tcp': [{ HostPort: '0', HostIp: '127.0.0.1' }],
      '9300/tcp': [{ HostPort: '19300', HostIp: '127.0.0.1' }],
    });
  });

  it('refuses unsupported settings in one line', () => {
    const provider = new TestcontainersCluster();
    expect(() => provider.withNodes(2)).toThrow('nodes must be 1 or 3, got 2');
    expect(() => provider.withDistribution('solr')).toThrow(
      "unknown distribution 'solr': use opensearch or elasticsearch",
    );
    expect(() => provider.withHttpPort(70000)).toThrow(
      'HTTP port must be an integer from 1 to 65535, got 70000',
    );
  });
});

describe('TestcontainersCluster.start without a usable Docker', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('says Docker is not running when DOCKER_HOST points at a dead socket', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///tmp/firedrill-no-such-docker.sock');
    await expect(new TestcontainersCluster().start()).rejects.toThrow(DOCKER_NOT_RUNNING);
  });

  it('says the HTTP port is taken before asking Docker anything', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///tmp/firedrill-no-such-docker.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(new TestcontainersCluster().withHttpPort(port).start()).rejects.toThrow(
        `port ${port} is already in use`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
