import { FiredrillError } from '../errors.js';
import { clusterError, reasonOf } from './errors.js';
import { rememberSecret } from '../redact.js';
import { roleRequests, type PortableRole } from './roles.js';
import type { ClusterInfo, HttpMethod, RawResponse, RequestParams, Transport } from './types.js';

/** Counts of requests sent, so callers (and tests) can prove a no-op deploy wrote nothing. */
export interface RequestStats {
  reads: number;
  writes: number;
  /** `METHOD path` of every write, in order. */
  writeLog: string[];
}

export interface SearchHit<T> {
  _index: string;
  _id: string;
  _seq_no?: number;
  _primary_term?: number;
  _source: T;
  sort?: unknown[];
  fields?: Record<string, unknown[]>;
  /** The names (`_name`) of the query clauses this hit matched. */
  matched_queries?: string[];
}

export interface SearchResponse<T, A = Record<string, unknown>> {
  took: number;
  hits: { total?: { value: number; relation: string }; hits: SearchHit<T>[] };
  aggregations?: A;
}

export type BulkAction =
  | { create: { _index: string; _id?: string; pipeline?: string }; doc: unknown }
  | {
      index: {
        _index: string;
        _id?: string;
        pipeline?: string;
        if_seq_no?: number;
        if_primary_term?: number;
      };
      doc: unknown;
    }
  | { delete: { _index: string; _id: string } };

export interface BulkItemResult {
  status: number;
  _index?: string;
  _id?: string;
  error?: { type: string; reason: string };
}

/** A bulk request's answer: the whole request's status, and per-item results when the cluster took it. */
export interface BulkAnswer {
  status: number;
  items?: BulkItemResult[];
  /** Why the whole request was refused (`type: reason`). */
  reason?: string;
}

export interface WriteOptions {
  refresh?: boolean | 'wait_for';
  /** Optimistic concurrency: write only if the document is still at this version. */
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  opType?: 'create' | 'index';
  pipeline?: string;
}

export interface StoredDoc<T> {
  _id: string;
  _seq_no: number;
  _primary_term: number;
  _source: T;
}

// Read-only endpoints that are sent as POST.
const READ_ONLY_POST =
  /\/(_search|_count|_msearch|_mget|_simulate|_validate\/query|_field_caps|_analyze)(\/|$|\?)/;

/** Retries (about 20 s in all) while an index's shards are still starting, as right after it is created. */
const SHARD_START_RETRIES = 8;

/** A 503 saying no copy of a shard can answer yet: transient while a new index's primaries start. */
function shardsStarting(res: RawResponse<unknown>): boolean {
  if (res.status !== 503) return false;
  const type = (res.body as { error?: { type?: string } } | undefined)?.error?.type;
  return type === 'search_phase_execution_exception' || type === 'no_shard_available_action_exception';
}

/** Documents one delete-by-query request removes at most (Cluster.deleteByQuery). */
const DELETE_SLICE = 50_000;

/**
 * A connected cluster: a thin typed surface over one distribution's official client.
 * Nothing outside src/cluster/ knows which distribution answers.
 */
export class Cluster {
  readonly stats: RequestStats = { reads: 0, writes: 0, writeLog: [] };

  constructor(
    readonly info: ClusterInfo,
    private readonly transport: Transport,
  ) {}

  /** Sends a request; resolves with any HTTP status, throws one clear line on connection or auth failure. */
  async request<T = unknown>(params: RequestParams): Promise<RawResponse<T>> {
    this.tally(params.method, params.path);
    let res: RawResponse<T>;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await this.transport.request<T>(params);
      } catch (error) {
        throw clusterError(error, this.info.url);
      }
      if (attempt >= SHARD_START_RETRIES || !shardsStarting(res)) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(4_000, 250 * 2 ** attempt)));
    }
    if (res.status === 401 || res.status === 403) {
      throw clusterError(
        { message: reasonOf(res.body) ?? '', meta: { statusCode: res.status, body: res.body } },
        this.info.url,
        `${params.method} ${params.path}`,
      );
    }
    return res;
  }

  /** Like request, but any status outside `ok` (default 2xx) becomes a FiredrillError naming the action. */
  async expect<T = unknown>(what: string, params: RequestParams, ok: number[] = []): Promise<RawResponse<T>> {
    const res = await this.request<T>(params);
    if ((res.status >= 200 && res.status < 300) || ok.includes(res.status)) return res;
    throw new FiredrillError(
      `${what} failed (${res.status}): ${reasonOf(res.body) ?? JSON.stringify(res.body)}`,
    );
  }

  private tally(method: HttpMethod, path: string): void {
    const read =
      method === 'GET' ||
      method === 'HEAD' ||
      (method === 'POST' && READ_ONLY_POST.test(path)) ||
      // Clearing a scroll frees a search context; it writes no data.
      (method === 'DELETE' && path === '/_search/scroll');
    if (read) this.stats.reads++;
    else {
      this.stats.writes++;
      this.stats.writeLog.push(`${method} ${path}`);
    }
  }

  /** Zeroes the request counters. */
  resetStats(): void {
    this.stats.reads = 0;
    this.stats.writes = 0;
    this.stats.writeLog = [];
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  // --- cluster ---

  async health(
    waitForStatus?: 'yellow' | 'green',
    timeout = '30s',
  ): Promise<{ status: string; number_of_nodes: number }> {
    const res = await this.expect<{ status: string; number_of_nodes: number; timed_out: boolean }>(
      'cluster health',
      {
        method: 'GET',
        path: '/_cluster/health',
        query: waitForStatus ? { wait_for_status: waitForStatus, timeout } : undefined,
      },
      [408],
    );
    return res.body;
  }

  /** Ingest processor types the cluster's nodes support. */
  async ingestProcessors(): Promise<Set<string>> {
    const res = await this.expect<{
      nodes: Record<string, { ingest?: { processors?: { type: string }[] } }>;
    }>('list ingest processors', {
      method: 'GET',
      path: '/_nodes/ingest',
      query: { filter_path: 'nodes.*.ingest.processors.type' },
    });
    const types = new Set<string>();
    for (const node of Object.values(res.body.nodes ?? {}))
      for (const p of node.ingest?.processors ?? []) types.add(p.type);
    return types;
  }

  // --- security ---

  /** Creates or replaces a role (see `roleRequests`). */
  async putRole(role: PortableRole): Promise<void> {
    for (const request of roleRequests(this.info.distribution, role))
      await this.expect(`put role ${role.name}`, request);
  }

  /** Creates or replaces an internal user holding these roles (the password never leaves the request). */
  async putUser(name: string, password: string, roles: string[]): Promise<void> {
    rememberSecret(password, name);
    const [path, body] =
      this.info.distribution === 'elasticsearch'
        ? [`/_security/user/${enc(name)}`, { password, roles }]
        : [`/_plugins/_security/api/internalusers/${enc(name)}`, { password, backend_roles: roles }];
    await this.expect(`put user ${name}`, { method: 'PUT', path, body });
  }

  // --- ingest pipelines ---

  async getPipeline<T = Record<string, unknown>>(id: string): Promise<T | undefined> {
    const res = await this.request<Record<string, T>>({
      method: 'GET',
      path: `/_ingest/pipeline/${enc(id)}`,
    });
    return res.status === 404 ? undefined : okBody(res, `get pipeline ${id}`)[id];
  }

  /** Every pipeline whose id matches a wildcard pattern. */
  async getPipelines<T = Record<string, unknown>>(pattern: string): Promise<Record<string, T>> {
    const res = await this.request<Record<string, T>>({
      method: 'GET',
      path: `/_ingest/pipeline/${enc(pattern)}`,
    });
    return res.status === 404 ? {} : okBody(res, `get pipelines ${pattern}`);
  }

  async putPipeline(id: string, body: unknown): Promise<void> {
    await this.expect(`put pipeline ${id}`, { method: 'PUT', path: `/_ingest/pipeline/${enc(id)}`, body });
  }

  async deletePipeline(id: string): Promise<void> {
    await this.expect(
      `delete pipeline ${id}`,
      { method: 'DELETE', path: `/_ingest/pipeline/${enc(id)}` },
      [404],
    );
  }

  /** Runs documents through a stored pipeline (by id) or an inline one. */
  async simulatePipeline<T = unknown>(
    pipeline: string | object,
    docs: unknown[],
    verbose = false,
  ): Promise<T> {
    const path =
      typeof pipeline === 'string'
        ? `/_ingest/pipeline/${enc(pipeline)}/_simulate`
        : '/_ingest/pipeline/_simulate';
    const body = {
      ...(typeof pipeline === 'string' ? {} : { pipeline }),
      docs: docs.map((d) => ({ _index: 'simulate', _source: d })),
    };
    return (await this.expect<T>('simulate pipeline', { method: 'POST', path, body, query: { verbose } }))
      .body;
  }

  // --- templates ---

  async getIndexTemplate<T = Record<string, unknown>>(name: string): Promise<T | undefined> {
    const res = await this.request<{ index_templates: { name: string; index_template: T }[] }>({
      method: 'GET',
      path: `/_index_template/${enc(name)}`,
    });
    return res.status === 404
      ? undefined
      : okBody(res, `get index template ${name}`).index_templates[0]?.index_template;
  }

  async getIndexTemplates<T = Record<string, unknown>>(pattern: string): Promise<Record<string, T>> {
    const res = await this.request<{ index_templates: { name: string; index_template: T }[] }>({
      method: 'GET',
      path: `/_index_template/${enc(pattern)}`,
    });
    if (res.status === 404) return {};
    return Object.fromEntries(
      okBody(res, `get index templates ${pattern}`).index_templates.map((t) => [t.name, t.index_template]),
    );
  }

  async putIndexTemplate(name: string, body: unknown): Promise<void> {
    await this.expect(`put index template ${name}`, {
      method: 'PUT',
      path: `/_index_template/${enc(name)}`,
      body,
    });
  }

  async deleteIndexTemplate(name: string): Promise<void> {
    await this.expect(
      `delete index template ${name}`,
      { method: 'DELETE', path: `/_index_template/${enc(name)}` },
      [404],
    );
  }

  async getComponentTemplate<T = Record<string, unknown>>(name: string): Promise<T | undefined> {
    const res = await this.request<{ component_templates: { name: string; component_template: T }[] }>({
      method: 'GET',
      path: `/_component_template/${enc(name)}`,
    });
    return res.status === 404
      ? undefined
      : okBody(res, `get component template ${name}`).component_templates[0]?.component_template;
  }

  async getComponentTemplates<T = Record<string, unknown>>(pattern: string): Promise<Record<string, T>> {
    const res = await this.request<{ component_templates: { name: string; component_template: T }[] }>({
      method: 'GET',
      path: `/_component_template/${enc(pattern)}`,
    });
    if (res.status === 404) return {};
    return Object.fromEntries(
      okBody(res, `get component templates ${pattern}`).component_templates.map((t) => [
        t.name,
        t.component_template,
      ]),
    );
  }

  async putComponentTemplate(name: string, body: unknown): Promise<void> {
    await this.expect(`put component template ${name}`, {
      method: 'PUT',
      path: `/_component_template/${enc(name)}`,
      body,
    });
  }

  async deleteComponentTemplate(name: string): Promise<void> {
    await this.expect(
      `delete component template ${name}`,
      { method: 'DELETE', path: `/_component_template/${enc(name)}` },
      [404],
    );
  }

  // --- indices ---

  async indexExists(index: string): Promise<boolean> {
    const res = await this.request({ method: 'HEAD', path: `/${enc(index)}` });
    return res.status === 200;
  }

  /** Creates an index; resolves false if it already existed. */
  async createIndex(index: string, body: unknown = {}): Promise<boolean> {
    const res = await this.expect<{ error?: { type?: string } }>(
      `create index ${index}`,
      { method: 'PUT', path: `/${enc(index)}`, body },
      [400],
    );
    if (res.status === 400) {
      if (res.body.error?.type === 'resource_already_exists_exception') return false;
      throw new FiredrillError(`create index ${index} failed (400): ${reasonOf(res.body)}`);
    }
    return true;
  }

  async deleteIndex(index: string): Promise<void> {
    await this.expect(
      `delete index ${index}`,
      { method: 'DELETE', path: `/${enc(index)}`, query: { ignore_unavailable: true } },
      [404],
    );
  }

  async getMapping<T = Record<string, unknown>>(index: string): Promise<Record<string, { mappings: T }>> {
    const res = await this.request<Record<string, { mappings: T }>>({
      method: 'GET',
      path: `/${enc(index)}/_mapping`,
    });
    return res.status === 404 ? {} : okBody(res, `get mapping ${index}`);
  }

  /** The mapping `_meta` of every index matching a pattern; indices without one are left out. */
  async getIndexMetas(pattern: string): Promise<Record<string, Record<string, unknown>>> {
    const res = await this.request<Record<string, { mappings?: { _meta?: Record<string, unknown> } }>>({
      method: 'GET',
      path: `/${enc(pattern)}/_mapping`,
      query: { filter_path: '*.mappings._meta', ignore_unavailable: true, allow_no_indices: true },
    });
    if (res.status === 404) return {};
    const metas: Record<string, Record<string, unknown>> = {};
    for (const [index, { mappings }] of Object.entries(okBody(res, `get mappings ${pattern}`) ?? {}))
      if (mappings?._meta) metas[index] = mappings._meta;
    return metas;
  }

  async putMapping(index: string, body: unknown): Promise<void> {
    await this.expect(`put mapping ${index}`, { method: 'PUT', path: `/${enc(index)}/_mapping`, body });
  }

  async refresh(index: string): Promise<void> {
    await this.expect(
      `refresh ${index}`,
      {
        method: 'POST',
        path: `/${enc(index)}/_refresh`,
        query: { ignore_unavailable: true, allow_no_indices: true },
      },
      [404],
    );
  }

  // --- documents ---

  async getDoc<T>(index: string, id: string): Promise<StoredDoc<T> | undefined> {
    const res = await this.request<StoredDoc<T> & { found: boolean }>({
      method: 'GET',
      path: `/${enc(index)}/_doc/${enc(id)}`,
    });
    if (res.status === 404) return undefined;
    return okBody(res, `get ${index}/${id}`);
  }

  /** Several documents by id, realtime (what was just written, refreshed or not); missing ones are left out. */
  async getDocs<T>(index: string, ids: string[]): Promise<StoredDoc<T>[]> {
    if (ids.length === 0) return [];
    const res = await this.request<{ docs?: (StoredDoc<T> & { found?: boolean })[] }>({
      method: 'POST',
      path: `/${enc(index)}/_mget`,
      body: { ids },
    });
    if (res.status === 404) return [];
    return (okBody(res, `get ${ids.length} document(s) from ${index}`).docs ?? []).filter((d) => d.found);
  }

  /**
   * Writes one document. Resolves `conflict` instead of throwing when create-only or
   * optimistic-concurrency conditions fail, so callers can treat it as a normal outcome.
   */
  async putDoc(
    index: string,
    id: string | undefined,
    doc: unknown,
    options: WriteOptions = {},
  ): Promise<{ result: 'written' | 'conflict'; _id: string; _seq_no: number; _primary_term: number }> {
    const res = await this.request<{ _id: string; _seq_no: number; _primary_term: number; error?: unknown }>({
      method: id ? 'PUT' : 'POST',
      path: id ? `/${enc(index)}/_doc/${enc(id)}` : `/${enc(index)}/_doc`,
      body: doc,
      query: {
        refresh: options.refresh === undefined ? undefined : String(options.refresh),
        if_seq_no: options.ifSeqNo,
        if_primary_term: options.ifPrimaryTerm,
        op_type: options.opType,
        pipeline: options.pipeline,
      },
    });
    if (res.status === 409) return { result: 'conflict', _id: id ?? '', _seq_no: -1, _primary_term: -1 };
    const body = okBody(res, `write ${index}/${id ?? ''}`);
    return { result: 'written', _id: body._id, _seq_no: body._seq_no, _primary_term: body._primary_term };
  }

  /** Deletes one document; with seq_no/primary_term only if unchanged. Resolves false if absent or changed. */
  async deleteDoc(
    index: string,
    id: string,
    options: Pick<WriteOptions, 'ifSeqNo' | 'ifPrimaryTerm' | 'refresh'> = {},
  ): Promise<boolean> {
    const res = await this.request({
      method: 'DELETE',
      path: `/${enc(index)}/_doc/${enc(id)}`,
      query: {
        if_seq_no: options.ifSeqNo,
        if_primary_term: options.ifPrimaryTerm,
        refresh: options.refresh === undefined ? undefined : String(options.refresh),
      },
    });
    if (res.status === 404 || res.status === 409) return false;
    okBody(res, `delete ${index}/${id}`);
    return true;
  }

  /** Sends a bulk request; returns one result per action, in order. Item failures are results, not exceptions. */
  async bulk(
    actions: BulkAction[],
    options: { refresh?: boolean | 'wait_for'; pipeline?: string } = {},
  ): Promise<BulkItemResult[]> {
    if (actions.length === 0) return [];
    const ndjson: unknown[] = [];
    for (const action of actions) {
      if ('delete' in action) ndjson.push({ delete: action.delete });
      else if ('create' in action) ndjson.push({ create: action.create }, action.doc);
      else ndjson.push({ index: action.index }, action.doc);
    }
    const res = await this.expect<{ items: Record<string, BulkItemResult>[] }>('bulk', {
      method: 'POST',
      path: '/_bulk',
      ndjson,
      query: {
        refresh: options.refresh === undefined ? undefined : String(options.refresh),
        pipeline: options.pipeline,
      },
    });
    return res.body.items.map((item) => Object.values(item)[0] as BulkItemResult);
  }

  /**
   * Sends already serialized bulk lines (action and document, one JSON object a line) and returns the
   * answer whatever its status, so the caller can tell a refused request (413, 429, 5xx) from item
   * failures. A request that gets no answer throws NoAnswer.
   */
  async sendBulk(
    lines: string[],
    options: { pipeline?: string; timeoutMs?: number } = {},
  ): Promise<BulkAnswer> {
    const res = await this.request<{ items?: Record<string, BulkItemResult>[] }>({
      method: 'POST',
      path: '/_bulk',
      ndjson: lines,
      query: { pipeline: options.pipeline },
      timeoutMs: options.timeoutMs,
    });
    if (res.status >= 200 && res.status < 300 && Array.isArray(res.body?.items))
      return { status: res.status, items: res.body.items.map((item) => Object.values(item)[0]!) };
    return { status: res.status, reason: reasonOf(res.body) ?? JSON.stringify(res.body ?? null) };
  }

  /**
   * The largest request body the node accepts (`http.max_content_length`, in bytes), or undefined
   * when the cluster does not say (no permission to read settings).
   */
  async maxContentLength(): Promise<number | undefined> {
    const res = await this.request<Record<string, Record<string, unknown>>>({
      method: 'GET',
      path: '/_cluster/settings',
      query: { include_defaults: true, filter_path: '**.max_content_length' },
    }).catch((error: unknown) => {
      // A user who may write but not read cluster settings (403) gets the engines' default.
      if (error instanceof FiredrillError && /\(403\)/.test(error.message)) return undefined;
      throw error;
    });
    if (res?.status !== 200) return undefined;
    // Persistent and transient settings override the defaults.
    for (const scope of ['transient', 'persistent', 'defaults']) {
      const value = findKey(res.body?.[scope], 'max_content_length');
      const bytes = typeof value === 'string' ? parseByteSize(value) : undefined;
      if (bytes !== undefined) return bytes;
    }
    return undefined;
  }

  async search<T = Record<string, unknown>, A = Record<string, unknown>>(
    index: string | string[],
    body: unknown,
    query?: RequestParams['query'],
  ): Promise<SearchResponse<T, A>> {
    const target = Array.isArray(index) ? index.join(',') : index;
    const res = await this.expect<SearchResponse<T, A>>(`search ${target}`, {
      method: 'POST',
      path: `/${enc(target)}/_search`,
      body,
      query: { ignore_unavailable: true, allow_no_indices: true, ...query },
    });
    return res.body;
  }

  /**
   * Every hit of a search, page by page, from one consistent snapshot (a scroll: the same API on both
   * distributions). Sort by `_doc` and order the hits yourself: OpenSearch 2.19 loses hits of a scroll
   * sorted on a field when thousands share a value. The scroll is cleared when the iteration ends.
   */
  async *scroll<T = Record<string, unknown>>(
    index: string | string[],
    body: Record<string, unknown>,
    options: { pageSize?: number; keepAlive?: string } = {},
  ): AsyncGenerator<SearchHit<T>[]> {
    const target = Array.isArray(index) ? index.join(',') : index;
    const keepAlive = options.keepAlive ?? '2m';
    let res = await this.expect<SearchResponse<T> & { _scroll_id?: string }>(`search ${target}`, {
      method: 'POST',
      path: `/${enc(target)}/_search`,
      body: { ...body, size: options.pageSize ?? 1000 },
      query: { ignore_unavailable: true, allow_no_indices: true, scroll: keepAlive },
    });
    let scrollId = res.body._scroll_id;
    try {
      while (res.body.hits.hits.length > 0) {
        yield res.body.hits.hits;
        if (!scrollId) return;
        res = await this.expect<SearchResponse<T> & { _scroll_id?: string }>(`scroll ${target}`, {
          method: 'POST',
          path: '/_search/scroll',
          body: { scroll: keepAlive, scroll_id: scrollId },
        });
        scrollId = res.body._scroll_id ?? scrollId;
      }
    } finally {
      if (scrollId)
        await this.request({
          method: 'DELETE',
          path: '/_search/scroll',
          body: { scroll_id: scrollId },
        }).catch(() => undefined);
    }
  }

  /**
   * The time on the cluster's ingest node (epoch ms), the clock that stamps `event.ingested`: read by
   * simulating a pipeline, so the engine can measure how far its own clock is off.
   */
  async ingestClock(): Promise<number> {
    const res = await this.expect<{ docs: { doc: { _source: { now: string } } }[] }>(
      'read the ingest clock',
      {
        method: 'POST',
        path: '/_ingest/pipeline/_simulate',
        query: { filter_path: 'docs.doc._source' },
        body: {
          pipeline: { processors: [{ set: { field: 'now', value: '{{{_ingest.timestamp}}}' } }] },
          docs: [{ _source: {} }],
        },
      },
    );
    const time = Date.parse(res.body.docs[0]?.doc._source.now ?? '');
    if (Number.isNaN(time)) throw new FiredrillError('the cluster did not tell its ingest time');
    return time;
  }

  async count(index: string | string[], query: unknown = { match_all: {} }): Promise<number> {
    const target = Array.isArray(index) ? index.join(',') : index;
    const res = await this.expect<{ count: number }>(`count ${target}`, {
      method: 'POST',
      path: `/${enc(target)}/_count`,
      body: { query },
      query: { ignore_unavailable: true, allow_no_indices: true },
    });
    return res.body.count;
  }

  /** Deletes every matching document; returns how many. */
  /**
   * Deletes every matching document, in slices of at most DELETE_SLICE per request: one request over
   * millions would outlast any timeout, and OpenSearch's per-sub-task response headers grow with it.
   */
  async deleteByQuery(index: string | string[], query: unknown): Promise<number> {
    const target = Array.isArray(index) ? index.join(',') : index;
    let deleted = 0;
    for (;;) {
      const res = await this.expect<{ deleted: number }>(`delete by query ${target}`, {
        method: 'POST',
        path: `/${enc(target)}/_delete_by_query`,
        body: { query },
        query: {
          ignore_unavailable: true,
          allow_no_indices: true,
          refresh: true,
          conflicts: 'proceed',
          max_docs: DELETE_SLICE,
          scroll_size: 5_000,
        },
      });
      deleted += res.body.deleted;
      if (res.body.deleted < DELETE_SLICE) return deleted;
    }
  }
}

/** The first value under `key` anywhere in a nested settings object (flat or nested keys alike). */
function findKey(node: unknown, key: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  for (const [k, v] of Object.entries(node)) {
    if (k === key || k.endsWith(`.${key}`)) return v;
    const found = findKey(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** `100mb`, `512kb`, `1gb`, `2048b` → bytes (the engines' byte-size settings); undefined if unreadable. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * BYTE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

function okBody<T>(res: RawResponse<T>, what: string): T {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw new FiredrillError(
    `${what} failed (${res.status}): ${reasonOf(res.body) ?? JSON.stringify(res.body)}`,
  );
}

// Index names and ids may contain characters that are special in a URL path; keep `,` and `*` for multi-target paths.
function enc(part: string): string {
  return encodeURIComponent(part).replace(/%2C/g, ',').replace(/%2A/g, '*');
}
