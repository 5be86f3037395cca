import { readFileSync } from 'node:fs';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import {
  Client as OpenSearchClient,
  Connection as OpenSearchConnection,
} from '@opensearch-project/opensearch';
import { FiredrillError } from '../errors.js';
import type { ConnectOptions, Distribution, RawResponse, RequestParams, Transport } from './types.js';

// Statuses are answers, not exceptions: the Cluster decides what each one means.
const EVERY_ERROR_STATUS = Array.from({ length: 200 }, (_, i) => 400 + i);

function tlsOptions(options: ConnectOptions) {
  if (options.certFile && !options.keyFile)
    throw new FiredrillError('a client certificate needs its key: set FIREDRILL_CLIENT_KEY');
  return {
    rejectUnauthorized: !options.insecure,
    ...(options.caFile ? { ca: readPem(options.caFile, 'FIREDRILL_CA_CERT') } : {}),
    ...(options.certFile && options.keyFile
      ? {
          cert: readPem(options.certFile, 'FIREDRILL_CLIENT_CERT'),
          key: readPem(options.keyFile, 'FIREDRILL_CLIENT_KEY'),
        }
      : {}),
  };
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new FiredrillError(
      `cannot read ${setting} '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
}

function toQuery(query: RequestParams['query']): Record<string, string> | undefined {
  if (!query) return undefined;
  const entries = Object.entries(query).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}

interface ClientRequest {
  method: string;
  path: string;
  querystring?: Record<string, string>;
  body?: never;
  bulkBody?: Record<string, unknown>[];
}

interface CallOptions {
  ignore: number[];
  requestTimeout?: number;
}

/** Both official clients take the same request shape; only their call options differ. */
async function send<T>(
  p: RequestParams,
  call: (
    params: ClientRequest,
    options: CallOptions,
  ) => Promise<{ statusCode?: number | null; body: unknown }>,
): Promise<RawResponse<T>> {
  const res = await call(
    {
      method: p.method,
      path: p.path,
      querystring: toQuery(p.query),
      ...(p.ndjson ? { bulkBody: p.ndjson as Record<string, unknown>[] } : { body: p.body as never }),
    },
    { ignore: EVERY_ERROR_STATUS, ...(p.timeoutMs ? { requestTimeout: p.timeoutMs } : {}) },
  );
  return { status: res.statusCode ?? 0, body: res.body as T };
}

/**
 * OpenSearch 2.x answers with a TASK_RESOURCE_USAGE header per sub-task of a request: a delete-by-query
 * over thousands of documents in several shards passes Node's 16 KB limit on a response head ("Header
 * overflow"). Deletes go in bounded slices too (Cluster.deleteByQuery); this is the headroom.
 */
const MAX_RESPONSE_HEAD_BYTES = 1024 * 1024;

class RoomyConnection extends OpenSearchConnection {
  override buildRequestObject(params: unknown): ReturnType<OpenSearchConnection['buildRequestObject']> {
    return { ...super.buildRequestObject(params), maxHeaderSize: MAX_RESPONSE_HEAD_BYTES };
  }
}

function openSearchTransport(options: ConnectOptions): Transport {
  const client = new OpenSearchClient({
    node: options.target,
    Connection: RoomyConnection,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    ssl: tlsOptions(options),
    ...(options.username ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
    ...(options.apiKey ? { headers: { authorization: `ApiKey ${options.apiKey}` } } : {}),
  });
  return {
    distribution: 'opensearch',
    request: (p) => send(p, (params, options) => client.transport.request(params, options)),
    close: () => client.close(),
  };
}

function elasticsearchTransport(options: ConnectOptions): Transport {
  const client = new ElasticsearchClient({
    node: options.target,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    tls: tlsOptions(options),
    ...(options.apiKey
      ? { auth: { apiKey: options.apiKey } }
      : options.username
        ? { auth: { username: options.username, password: options.password ?? '' } }
        : {}),
  });
  return {
    distribution: 'elasticsearch',
    request: (p) =>
      send(p, (params, options) => client.transport.request(params, { ...options, meta: true })),
    close: () => client.close(),
  };
}

/** The one place that picks a client by distribution. */
export function createTransport(distribution: Distribution, options: ConnectOptions): Transport {
  return distribution === 'opensearch' ? openSearchTransport(options) : elasticsearchTransport(options);
}
