import { UsageError } from '../errors.js';
import { EmbeddedCluster } from './embedded/index.js';
import { ExternalCluster } from './external/index.js';
import type { ClusterProvider, ProviderName } from './types.js';
import { loadTestcontainers } from './testcontainers/load.js';

export { EmbeddedCluster, stopEmbeddedCluster } from './embedded/index.js';
export { ExternalCluster } from './external/index.js';
export {
  forgetRecordedCluster,
  readRecordedCluster,
  recordCluster,
  recordStartedCluster,
  type RecordedCluster,
} from './state.js';
export type { ClusterProvider, ProviderName, StartedCluster } from './types.js';

export const PROVIDERS: readonly ProviderName[] = ['embedded', 'testcontainers', 'external'];

/** What the CLI and the test setup may ask of any provider; each uses the parts that apply to it. */
export interface ProviderOptions {
  distribution?: string;
  version?: string;
  nodes?: number;
  httpPort?: number;
  /** external: the cluster's URL. */
  url?: string;
  /** embedded: keep running after this process exits; testcontainers containers always do. */
  detached?: boolean;
  /** TLS and authentication (embedded only: the security plugin is fetched from Maven Central). */
  security?: boolean;
}

/** A configured provider by name; options a provider cannot honour are refused, not ignored. */
export function providerFor(name: string, options: ProviderOptions = {}): ClusterProvider {
  switch (name) {
    case 'embedded': {
      if (options.distribution && options.distribution !== 'opensearch')
        throw new UsageError(
          `the embedded provider runs OpenSearch only (no embedded Elasticsearch exists); use --provider testcontainers for ${options.distribution}`,
        );
      const cluster = new EmbeddedCluster()
        .withDetached(options.detached ?? false)
        .withSecurity(options.security ?? false);
      if (options.version) cluster.withVersion(options.version);
      if (options.nodes !== undefined) cluster.withNodes(options.nodes);
      if (options.httpPort !== undefined) cluster.withHttpPort(options.httpPort);
      return cluster;
    }
    case 'testcontainers':
      if (options.security)
        throw new UsageError(
          'the testcontainers provider has no secured image yet; use --provider embedded --security',
        );
      return {
        name: 'testcontainers',
        // Loaded on use: the Docker client stack costs seconds that other commands should not pay.
        start: async () => {
          const { TestcontainersCluster } = await loadTestcontainers();
          const cluster = new TestcontainersCluster();
          if (options.distribution) cluster.withDistribution(options.distribution);
          if (options.version) cluster.withVersion(options.version);
          if (options.nodes !== undefined) cluster.withNodes(options.nodes);
          if (options.httpPort !== undefined) cluster.withHttpPort(options.httpPort);
          return cluster.start();
        },
      };
    case 'external': {
      if (options.security)
        throw new UsageError(
          "an external cluster's security is its own: drop --security and give its CA and credentials (FIREDRILL_CA_CERT, FIREDRILL_USERNAME/_PASSWORD, FIREDRILL_API_KEY)",
        );
      const cluster = new ExternalCluster();
      if (options.url) cluster.withUrl(options.url);
      return cluster;
    }
    default:
      throw new UsageError(`unknown provider '${name}': use ${PROVIDERS.join(', ')}`);
  }
}
