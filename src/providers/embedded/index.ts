export { EmbeddedCluster, stopEmbeddedCluster } from './embedded.js';
export { findJdks, selectJdk, type Jdk } from './jdk.js';
export { DEFAULT_OPENSEARCH_VERSION, KNOWN_RESOLVING_VERSIONS } from './versions.js';
