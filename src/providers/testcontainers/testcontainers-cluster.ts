import { randomUUID } from 'node:crypto';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { connect } from '../../cluster/connect.js';
import type { Distribution } from '../../cluster/types.js';
import { FiredrillError } from '../../errors.js';
import type { ClusterProvider, StartedCluster } from '../types.js';
import { dockerClient, ensurePortFree, portInUse } from './docker.js';
import { DISTRIBUTIONS, isDistribution } from './distributions.js';
import { resolveImage, type ResolvedImage } from './images.js';
import { validNodes, validPort } from '../options.js';

const HTTP_PORT = 9200;
/** Set on every container we start, so `docker ps --filter label=dev.firedrill` finds leftovers. */
const LABEL = 'dev.firedrill';
/** On each container of a multi-container cluster: the Docker network they share. */
const NETWORK_LABEL = 'dev.firedrill.network';

/**
 * Starts OpenSearch or Elasticsearch in Docker through testcontainers:
 *
 *   await new TestcontainersCluster().withVersion('2.19.1').withNodes(3).start()
 *
 * Our firedrill/opensearch image runs all nodes in one container; official images run one
 * container per node on a private network. Containers outlive this process (no reaper: its image
 * cannot be pulled offline, and `cluster up` must leave the cluster running) until `stop()` or
 * `stopTestcontainersCluster(containerId)`.
 */
export class TestcontainersCluster implements ClusterProvider {
  readonly name = 'testcontainers';
  private distribution: Distribution = 'opensearch';
  private version?: string;
  private image?: string;
  private nodes: 1 | 3 = 1;
  private httpPort?: number;
  private reuse = false;

  withDistribution(name: string): this {
    if (!isDistribution(name))
      throw new FiredrillError(`unknown distribution '${name}': use opensearch or elasticsearch`);
    this.distribution = name;
    return this;
  }

  withVersion(version: string): this {
    this.version = version;
    return this;
  }

  /** Any local or pullable image; our own images are recognised by their label, whatever the tag. */
  withImage(image: string): this {
    this.image = image;
    return this;
  }

  withNodes(nodes: number): this {
    this.nodes = validNodes(nodes);
    return this;
  }

  /** The host port for HTTP; a random free one when not given. */
  withHttpPort(port: number): this {
    this.httpPort = validPort(port);
    return this;
  }

  /** Attaches to a running container started with the same settings instead of starting another. */
  withReuse(reuse = true): this {
    this.reuse = reuse;
    return this;
  }

  async start(): Promise<StartedCluster> {
    // A reused container may hold the port itself, so only a fresh start checks it up front.
    if (this.httpPort !== undefined && !this.reuse) await ensurePortFree(this.httpPort);
    const image = await resolveImage(
      this.distribution,
      this.version ?? DISTRIBUTIONS[this.distribution].defaultVersion,
      this.image,
    );
    const containers = await this.startContainers(image);
    const first = containers[0]!;
    const url = `http://${first.getHost()}:${first.getMappedPort(HTTP_PORT)}`;
    const containerId = first.getId();
    try {
      const cluster = await connect({ target: url });
      await cluster.close();
      return {
        url,
        distribution: cluster.info.distribution,
        version: cluster.info.version,
        nodes: this.nodes,
        provider: 'testcontainers',
        containerId,
        stop: () => stopTestcontainersCluster(containerId),
      };
    } catch (error) {
      await stopTestcontainersCluster(containerId);
      throw error;
    }
  }

  private async startContainers(image: ResolvedImage): Promise<StartedTestContainer[]> {
    try {
      if (image.firedrill) return [await this.configure(this.firedrillContainer(image.name), 0).start()];
      if (this.nodes === 1)
        return [await this.configure(DISTRIBUTIONS[this.distribution].officialNode(image.name), 0).start()];
      return await this.startOfficialNetwork(image.name);
    } catch (error) {
      if (error instanceof FiredrillError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (this.httpPort !== undefined && /port is already allocated|address already in use/i.test(message))
        throw portInUse(this.httpPort);
      throw new FiredrillError(`could not start ${image.name}: ${message.split('\n')[0]}`, { cause: error });
    }
  }

  /** Our image: every node in one JVM, node 1's HTTP on 9200. */
  private firedrillContainer(image: string): GenericContainer {
    return new GenericContainer(image).withEnvironment({ FIREDRILL_NODES: String(this.nodes) });
  }

  /** Official images: one container per node, found by name on a network of their own. */
  private async startOfficialNetwork(image: string): Promise<StartedTestContainer[]> {
    if (this.reuse)
      throw new FiredrillError('reuse works for single-container clusters only (1 node or our image)');
    const client = await dockerClient();
    const network = `firedrill-${randomUUID()}`;
    await client.network.create({ Name: network, Driver: 'bridge', Labels: { [LABEL]: 'true' } });
    const names = Array.from({ length: this.nodes }, (_, i) => `node-${i + 1}`);
    const images = DISTRIBUTIONS[this.distribution];
    const starts = names.map((name, i) =>
      this.configure(images.officialNode(image), i)
        .withNetworkMode(network)
        .withNetworkAliases(name)
        .withLabels({ [NETWORK_LABEL]: network })
        .withEnvironment({
          'cluster.name': 'firedrill',
          'node.name': name,
          // 'zen' is the multi-node discovery of OpenSearch and Elasticsearch 7; 8 still accepts it.
          'discovery.type': 'zen',
          'discovery.seed_hosts': names.join(','),
          [images.initialManagersSetting]: names.join(','),
        })
        .start(),
    );
    const results = await Promise.allSettled(starts);
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((c) => c.stop()));
      await client.network.remove(client.network.getById(network));
      throw failed.reason;
    }
    return started;
  }

  /** Settings every container shares; node 0 publishes HTTP and is waited on until the cluster is green. */
  private configure(container: GenericContainer, index: number): GenericContainer {
    container
      .withLabels({ [LABEL]: 'true' })
      .withAutoCleanup(false)
      .withStartupTimeout(240_000);
    if (this.reuse) container.withReuse();
    if (index > 0) return container;
    const health = `/_cluster/health?wait_for_status=green&wait_for_nodes=${this.nodes}&timeout=1s`;
    container.withExposedPorts(
      this.httpPort === undefined ? HTTP_PORT : { container: HTTP_PORT, host: this.httpPort },
    );
    publishOnLoopback(container);
    return container.withWaitStrategy(Wait.forHttp(health, HTTP_PORT).forStatusCode(200));
  }
}

/**
 * Publishes the container's ports on 127.0.0.1 only (Docker's default is every host interface): a dev
 * cluster is never reachable from the network. testcontainers has no option for the host address, so
 * Docker's own `HostIp` is set on the bindings it prepared.
 */
export function publishOnLoopback(container: GenericContainer): void {
  const { hostConfig } = container as unknown as {
    hostConfig: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[]> };
  };
  for (const bindings of Object.values(hostConfig.PortBindings ?? {}))
    for (const binding of bindings) binding.HostIp = '127.0.0.1';
}

/**
 * Stops and removes a cluster this provider started, given the container id `start()` reported
 * (what `cluster down` recorded): the container, its sibling nodes and their network. A cluster
 * that is already gone is not an error.
 */
export async function stopTestcontainersCluster(containerId: string): Promise<void> {
  const { dockerode } = (await dockerClient()).container;
  let network: string | undefined;
  try {
    network = (await dockerode.getContainer(containerId).inspect()).Config.Labels?.[NETWORK_LABEL];
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const ids = network
    ? (
        await dockerode.listContainers({ all: true, filters: { label: [`${NETWORK_LABEL}=${network}`] } })
      ).map((c) => c.Id)
    : [containerId];
  await Promise.all(ids.map((id) => dockerode.getContainer(id).remove({ force: true, v: true })));
  if (network) await dockerode.getNetwork(network).remove();
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}
