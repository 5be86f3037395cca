import { describe, expect, it } from 'vitest';
import { Cluster } from '../cluster/index.js';
import type { RawResponse, RequestParams, Transport } from '../cluster/types.js';
import type { Resource } from '../compile/types.js';
import { deploy } from './deploy.js';
import { contentHash, FIREDRILL_VERSION } from './metadata.js';

/**
 * The requests a deploy sends to Elasticsearch 8, checked against a recording transport that
 * answers the way ES 8 does (there is no Elasticsearch on this machine; OpenSearch runs the real tests).
 */
class RecordingElasticsearch implements Transport {
  readonly distribution = 'elasticsearch' as const;
  readonly requests: RequestParams[] = [];
  private readonly pipelines = new Map<string, unknown>();
  private readonly templates = new Map<string, unknown>();
  private readonly components = new Map<string, unknown>();
  private readonly indices = new Map<string, { mappings: Record<string, unknown>; docs: Map<string, Doc> }>();
  private seqNo = 0;

  async request<T>(params: RequestParams): Promise<RawResponse<T>> {
    this.requests.push(params);
    return this.answer(params) as RawResponse<T>;
  }

  async close(): Promise<void> {}

  private answer({ method, path, body, query }: RequestParams): RawResponse {
    const parts = path.split('/').slice(1).map(decodeURIComponent);
    const [first = '', second, third] = parts;
    const all = (map: Map<string, unknown>, pattern = second) =>
      [...map].filter(([id]) => matches(pattern ?? '*', id));
    if (first === '_ingest') {
      if (method === 'GET') return ok(Object.fromEntries(all(this.pipelines, third)));
      if (JSON.stringify(body ?? {}).includes('no_such_processor'))
        return {
          status: 400,
          body: {
            error: {
              type: 'parse_exception',
              reason: 'No processor type exists with name [no_such_processor]',
            },
          },
        };
      return this.store(this.pipelines, third!, method, body);
    }
    if (first === '_index_template') {
      if (method === 'GET')
        return ok({ index_templates: all(this.templates).map(([name, t]) => ({ name, index_template: t })) });
      return this.store(this.templates, second!, method, body);
    }
    if (first === '_component_template') {
      if (method === 'GET')
        return ok({
          component_templates: all(this.components).map(([name, t]) => ({ name, component_template: t })),
        });
      return this.store(this.components, second!, method, body);
    }
    if (second === '_mapping' && method === 'GET') {
      const metas = [...this.indices].filter(
        ([name, i]) => first.split(',').some((pattern) => matches(pattern, name)) && i.mappings._meta,
      );
      return ok(
        Object.fromEntries(metas.map(([name, i]) => [name, { mappings: { _meta: i.mappings._meta } }])),
      );
    }
    const index = this.indices.get(first);
    if (second === undefined) {
      if (method === 'HEAD') return { status: index ? 200 : 404, body: '' };
      if (method === 'PUT') {
        if (index) return { status: 400, body: { error: { type: 'resource_already_exists_exception' } } };
        const mappings = ((body as { mappings?: Record<string, unknown> }).mappings ?? {}) as Record<
          string,
          unknown
        >;
        this.indices.set(first, { mappings, docs: new Map() });
        return ok({ acknowledged: true, index: first });
      }
    }
    if (second === '_search') {
      const hits = [...(index?.docs ?? new Map<string, Doc>())]
        .filter(([, d]) => filters(body).every(([field, value]) => d.source[field] === value))
        .sort(([, a], [, b]) => Number(b.source.version ?? 0) - Number(a.source.version ?? 0))
        .map(([id, d]) => ({ _index: first, _id: id, _source: d.source }));
      return ok({ took: 1, hits: { total: { value: hits.length, relation: 'eq' }, hits } });
    }
    if (second === '_refresh') return ok({ _shards: { total: 1, successful: 1, failed: 0 } });
    if (second === '_doc' && index) {
      const id = third!;
      const doc = index.docs.get(id);
      if (method === 'GET')
        return doc
          ? ok({ _id: id, _seq_no: doc.seqNo, _primary_term: 1, found: true, _source: doc.source })
          : { status: 404, body: { found: false } };
      const conflict =
        (query?.op_type === 'create' && doc) ||
        (query?.if_seq_no !== undefined && doc?.seqNo !== Number(query.if_seq_no));
      if (conflict) return { status: 409, body: { error: { type: 'version_conflict_engine_exception' } } };
      if (method === 'DELETE') {
        if (!doc) return { status: 404, body: { result: 'not_found' } };
        index.docs.delete(id);
        return ok({ result: 'deleted' });
      }
      const seqNo = this.seqNo++;
      index.docs.set(id, { seqNo, source: body as Record<string, unknown> });
      return ok({ _id: id, _seq_no: seqNo, _primary_term: 1, result: doc ? 'updated' : 'created' });
    }
    throw new Error(`the recording transport does not answer ${method} ${path}`);
  }

  private store(map: Map<string, unknown>, id: string, method: string, body: unknown): RawResponse {
    if (method === 'DELETE') return map.delete(id) ? ok({ acknowledged: true }) : { status: 404, body: {} };
    map.set(id, body);
    return ok({ acknowledged: true });
  }
}

interface Doc {
  seqNo: number;
  source: Record<string, unknown>;
}

function ok(body: unknown): RawResponse {
  return { status: 200, body };
}

function matches(pattern: string, name: string): boolean {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
  ).test(name);
}

function filters(body: unknown): [string, unknown][] {
  const filter =
    (body as { query?: { bool?: { filter?: { term: Record<string, unknown> }[] } } }).query?.bool?.filter ??
    [];
  return filter.map((f) => Object.entries(f.term)[0] as [string, unknown]);
}

const content: Resource[] = [
  { kind: 'component_template', id: 'fd-ecs', body: { template: { mappings: { properties: {} } } } },
  {
    kind: 'index_template',
    id: 'fd-logs',
    body: { index_patterns: ['logs-fd-*'], composed_of: ['fd-ecs'], priority: 200 },
  },
  {
    kind: 'pipeline',
    id: 'fd-router',
    body: { description: 'router', processors: [{ set: { field: 'a', value: 1 } }] },
  },
  { kind: 'index', id: 'fd-rules', body: { mappings: { properties: { q: { type: 'percolator' } } } } },
  { kind: 'rule', id: 'fd-rule', index: 'fd-rules', body: { enabled: true } },
];

async function elasticsearch() {
  const transport = new RecordingElasticsearch();
  const info = {
    distribution: 'elasticsearch' as const,
    version: '8.15.0',
    major: 8,
    clusterName: 'es',
    url: 'http://es:9200',
  };
  return { transport, cluster: new Cluster(info, transport) };
}

const line = (r: RequestParams) => `${r.method} ${r.path}`;

describe('deploy against Elasticsearch 8 (request contract)', () => {
  it('sends the reads, the lock, the stamped writes in dependency order, the history record and the unlock', async () => {
    const { transport, cluster } = await elasticsearch();

    await deploy(cluster, content, { deployment: 'prod' });

    const writes = transport.requests.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD' && !r.path.endsWith('/_search'),
    );
    expect(writes.map(line)).toEqual([
      'PUT /firedrill-deployments',
      'PUT /firedrill-deployments/_doc/lock%3Aprod',
      'PUT /_component_template/fd-ecs',
      'PUT /_index_template/fd-logs',
      'PUT /_ingest/pipeline/fd-router',
      'PUT /fd-rules',
      'PUT /fd-rules/_doc/fd-rule',
      'POST /fd-rules/_refresh',
      'PUT /firedrill-deployments/_doc/deployment%3Aprod%3A1',
      'DELETE /firedrill-deployments/_doc/lock%3Aprod',
    ]);
    const [history, lock, component, template, pipeline, index, rule, , record, unlock] = writes;
    const stamp = (body: unknown) => ({
      managed_by: 'firedrill',
      firedrill_deployment: 'prod',
      firedrill_hash: contentHash(body),
      firedrill_version: FIREDRILL_VERSION,
    });
    expect(history?.body).toMatchObject({
      mappings: { dynamic: false, properties: { deployment: { type: 'keyword' } } },
    });
    expect(lock?.query).toMatchObject({ op_type: 'create' });
    expect(lock?.body).toMatchObject({
      type: 'lock',
      deployment: 'prod',
      holder: expect.stringMatching(/@/),
    });
    expect(component?.body).toEqual({ ...content[0]!.body, _meta: stamp(content[0]!.body) });
    expect(template?.body).toEqual({ ...content[1]!.body, _meta: stamp(content[1]!.body) });
    // Pipelines carry the stamp in their description: one scheme for both distributions (OpenSearch rejects _meta there).
    expect(pipeline?.body).toEqual({
      processors: [{ set: { field: 'a', value: 1 } }],
      description: `router [managed_by=firedrill deployment=prod hash=${contentHash(content[2]!.body)} firedrill_version=${FIREDRILL_VERSION}]`,
    });
    expect(index?.body).toEqual({
      mappings: { properties: { q: { type: 'percolator' } }, _meta: stamp(content[3]!.body) },
    });
    expect(rule?.body).toEqual({ enabled: true, firedrill_managed: stamp(content[4]!.body) });
    expect(record?.query).toMatchObject({ op_type: 'create', refresh: 'true' });
    expect(record?.body).toMatchObject({
      type: 'deployment',
      deployment: 'prod',
      version: 1,
      action: 'deploy',
    });
    expect(unlock?.query).toMatchObject({ if_seq_no: expect.any(Number), if_primary_term: 1 });
  });

  it('reads a fixed handful of endpoints and writes nothing when redeploying unchanged content', async () => {
    const { transport, cluster } = await elasticsearch();
    await deploy(cluster, content, { deployment: 'prod' });
    transport.requests.length = 0;
    cluster.resetStats();

    await deploy(cluster, content, { deployment: 'prod' });

    expect(transport.requests.map(line)).toEqual([
      'POST /firedrill-deployments/_search',
      'GET /_ingest/pipeline/*',
      'GET /_index_template/*',
      'GET /_component_template/*',
      // Only the deployment's own indices (a least-privilege deployer may read no others).
      'GET /prod-firedrill-*,fd-rules/_mapping',
      'POST /fd-rules/_search',
    ]);
    expect(transport.requests.find((r) => r.path.endsWith('/_mapping'))?.query).toEqual({
      filter_path: '*.mappings._meta',
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    expect(cluster.stats.writes).toBe(0);
  });

  it('puts back the before-image it read when Elasticsearch rejects a later resource', async () => {
    const { transport, cluster } = await elasticsearch();
    await deploy(cluster, content, { deployment: 'prod' });
    const storedTemplate = await cluster.getIndexTemplate('fd-logs');
    transport.requests.length = 0;
    const broken = content.map((r) =>
      r.id === 'fd-logs'
        ? { ...r, body: { ...r.body, priority: 300 } }
        : r.id === 'fd-router'
          ? { ...r, body: { processors: [{ no_such_processor: {} }] } }
          : r,
    );

    await expect(deploy(cluster, broken, { deployment: 'prod' })).rejects.toThrow(
      "deploy failed at pipeline 'fd-router': put pipeline fd-router failed (400): parse_exception: No processor type exists with name [no_such_processor]; restored the 1 resource(s) it had changed",
    );

    const writes = transport.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE');
    expect(writes.map(line)).toEqual([
      'PUT /firedrill-deployments/_doc/lock%3Aprod',
      'PUT /_index_template/fd-logs',
      'PUT /_ingest/pipeline/fd-router',
      'PUT /_index_template/fd-logs',
      'DELETE /firedrill-deployments/_doc/lock%3Aprod',
    ]);
    expect(writes[1]?.body).toMatchObject({ priority: 300 });
    expect(writes[3]?.body).toEqual(storedTemplate);
  });
});
