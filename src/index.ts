/**
 * firedrill's library API: the same pieces the CLI uses.
 * content → compile → deploy → cluster → engine → alerts → reports
 */
export * from './cluster/index.js';
export { ContentError, ContentErrors, FiredrillError } from './errors.js';
export type * from './compile/types.js';
export type { ClusterProvider, ProviderName, StartedCluster } from './providers/types.js';
