import { ElasticsearchContainer } from '@testcontainers/elasticsearch';
import { OpenSearchContainer } from '@testcontainers/opensearch';
import type { GenericContainer } from 'testcontainers';
import type { Distribution } from '../../cluster/types.js';

/** What differs between the distributions' official images; everything else is shared. */
export interface DistributionImages {
  repository: string;
  defaultVersion: string;
  /** docker/setup.sh builds a local image (firedrill/opensearch) only for OpenSearch. */
  buildsLocally: boolean;
  /** The setting naming the first cluster-manager-eligible nodes of a new multi-node cluster. */
  initialManagersSetting: string;
  /** One official-image node over plain HTTP with security off. */
  officialNode(image: string): GenericContainer;
}

export const DISTRIBUTIONS: Record<Distribution, DistributionImages> = {
  opensearch: {
    repository: 'opensearchproject/opensearch',
    defaultVersion: '2.19.1',
    buildsLocally: true,
    initialManagersSetting: 'cluster.initial_cluster_manager_nodes',
    officialNode: (image) =>
      new OpenSearchContainer(image)
        .withSecurityEnabled(false)
        .withEnvironment({ DISABLE_INSTALL_DEMO_CONFIG: 'true', OPENSEARCH_JAVA_OPTS: '-Xms1g -Xmx1g' }),
  },
  elasticsearch: {
    repository: 'docker.elastic.co/elasticsearch/elasticsearch',
    defaultVersion: '8.19.2',
    buildsLocally: false,
    initialManagersSetting: 'cluster.initial_master_nodes',
    officialNode: (image) =>
      new ElasticsearchContainer(image).withEnvironment({ 'xpack.security.enabled': 'false' }),
  },
};

export function isDistribution(value: string): value is Distribution {
  return Object.hasOwn(DISTRIBUTIONS, value);
}
