/** The search distributions firedrill deploys to (nothing outside src/cluster/ branches on them). */
export type Distribution = 'opensearch' | 'elasticsearch';

export interface ClusterInfo {
  distribution: Distribution;
  /** e.g. "2.19.1" or "8.15.0". */
  version: string;
  major: number;
  clusterName: string;
  /** The URL without credentials. */
  url: string;
}

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

export interface RequestParams {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** An NDJSON body (bulk, msearch): one object a line; a string is taken as already serialized lines. */
  ndjson?: unknown[];
  /** Overrides the connection's request timeout for this request (ms). */
  timeoutMs?: number;
}

export interface RawResponse<T = unknown> {
  status: number;
  body: T;
}

/** The only distribution-specific piece: one official client behind a tiny request surface. */
export interface Transport {
  readonly distribution: Distribution;
  request<T>(params: RequestParams): Promise<RawResponse<T>>;
  close(): Promise<void>;
}

/** How to reach a cluster. Credentials come from options or FIREDRILL_* env vars. */
export interface ConnectOptions {
  target: string;
  username?: string;
  password?: string;
  apiKey?: string;
  /** Skip TLS verification (prints a warning). */
  insecure?: boolean;
  /** A PEM CA bundle to trust. */
  caFile?: string;
  /** A client certificate (PEM) and its key, for clusters that authenticate by certificate. */
  certFile?: string;
  keyFile?: string;
  /** Request timeout in ms (default 30 s). */
  requestTimeoutMs?: number;
}
