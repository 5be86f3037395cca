import { connect, connectOptionsFromEnv } from '../../cluster/index.js';
import { FiredrillError } from '../../errors.js';
import type { ClusterProvider, StartedCluster } from '../types.js';

/**
 * A cluster someone else runs, at a URL (credentials from FIREDRILL_USERNAME / FIREDRILL_PASSWORD /
 * FIREDRILL_API_KEY / FIREDRILL_CA_CERT or the URL itself). `stop()` never touches it.
 */
export class ExternalCluster implements ClusterProvider {
  readonly name = 'external';
  private url?: string;
  private env: NodeJS.ProcessEnv = process.env;

  withUrl(url: string): this {
    this.url = url;
    return this;
  }

  /** Where credentials and TLS settings come from; process.env by default. */
  withEnv(env: NodeJS.ProcessEnv): this {
    this.env = env;
    return this;
  }

  /** Connects and checks health: a red cluster is refused, since nothing could be tested on it. */
  async start(): Promise<StartedCluster> {
    const options = connectOptionsFromEnv(this.url, this.env);
    const cluster = await connect(options);
    try {
      const health = await cluster.health();
      if (health.status === 'red')
        throw new FiredrillError(`cluster at ${options.target} is red; fix it before using it`);
      return {
        url: options.target,
        distribution: cluster.info.distribution,
        version: cluster.info.version,
        nodes: health.number_of_nodes,
        provider: 'external',
        stop: async () => {},
      };
    } finally {
      await cluster.close();
    }
  }
}
