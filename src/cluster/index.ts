export { Cluster } from './cluster.js';
export type {
  BulkAction,
  BulkItemResult,
  RequestStats,
  SearchHit,
  SearchResponse,
  StoredDoc,
  WriteOptions,
} from './cluster.js';
export { connect, connectOptionsFromEnv, detectEngine, parseTarget } from './connect.js';
export { clusterError, reasonOf } from './errors.js';
export type {
  ClusterInfo,
  ConnectOptions,
  Engine,
  HttpMethod,
  RawResponse,
  RequestParams,
  Transport,
} from './types.js';
