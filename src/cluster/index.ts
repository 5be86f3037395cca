export { Cluster, parseByteSize } from './cluster.js';
export type {
  BulkAction,
  BulkAnswer,
  BulkItemResult,
  RequestStats,
  SearchHit,
  SearchResponse,
  StoredDoc,
  WriteOptions,
} from './cluster.js';
export { connect, connectOptionsFromEnv, detectDistribution, parseTarget } from './connect.js';
export { clusterError, NoAnswer, reasonOf } from './errors.js';
export { forgetSecrets, redact, rememberSecret } from '../redact.js';
export { roleRequests, type ClusterPrivilege, type IndexPrivilege, type PortableRole } from './roles.js';
export type {
  ClusterInfo,
  ConnectOptions,
  Distribution,
  HttpMethod,
  RawResponse,
  RequestParams,
  Transport,
} from './types.js';
