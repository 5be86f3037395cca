import { describe, expect, it } from 'vitest';
import { firedrillRoles } from '../security/roles.js';
import { Cluster } from './cluster.js';
import { forgetSecrets, redact } from '../redact.js';
import { roleRequests } from './roles.js';
import type { RawResponse, RequestParams, Transport } from './types.js';

/** Elasticsearch's security API by request contract (no Elasticsearch on this machine). */
class Recorder implements Transport {
  readonly distribution = 'elasticsearch' as const;
  readonly requests: RequestParams[] = [];
  async request<T>(params: RequestParams): Promise<RawResponse<T>> {
    this.requests.push(params);
    return { status: 200, body: { created: true } as T };
  }
  async close(): Promise<void> {}
}

const es = () => {
  const transport = new Recorder();
  const info = {
    distribution: 'elasticsearch',
    version: '8.15.0',
    major: 8,
    clusterName: 'es',
    url: 'http://es:9200',
  } as const;
  return { transport, cluster: new Cluster(info, transport) };
};

describe('roles on Elasticsearch (request contract)', () => {
  it('puts each role with Elasticsearch privilege names and the deployment’s index names', async () => {
    const { transport, cluster } = es();
    const roles = firedrillRoles('tenant-a');
    await cluster.putRole(roles.engine);
    expect(transport.requests).toEqual([
      {
        method: 'PUT',
        path: '/_security/role/firedrill_engine-tenant-a',
        body: {
          cluster: ['monitor', 'read_pipeline'],
          indices: [
            {
              names: [
                'tenant-a-logs-aws.cloudtrail-*',
                'tenant-a-logs-gcp.audit-*',
                'tenant-a-logs-azure.auditlogs-*',
              ],
              privileges: ['read', 'view_index_metadata', 'maintenance'],
            },
            { names: ['tenant-a-firedrill-rules'], privileges: ['read', 'view_index_metadata'] },
            {
              names: ['tenant-a-firedrill-alerts*'],
              privileges: ['read', 'view_index_metadata', 'write', 'create_index', 'maintenance'],
            },
            {
              names: ['tenant-a-firedrill-engine-state'],
              privileges: ['read', 'view_index_metadata', 'write', 'maintenance'],
            },
          ],
          metadata: { description: roles.engine.description },
        },
      },
    ]);
  });

  it('gives ingest create-only writes and the analyst nothing but reads', () => {
    const [ingest] = roleRequests('elasticsearch', firedrillRoles().ingest);
    expect(ingest!.body).toMatchObject({
      cluster: ['monitor', 'read_pipeline'],
      indices: [{ privileges: ['create_doc', 'create_index', 'read', 'view_index_metadata', 'maintenance'] }],
    });
    const [analyst] = roleRequests('elasticsearch', firedrillRoles().analyst);
    const privileges = (analyst!.body as { indices: { privileges: string[] }[] }).indices.flatMap(
      (i) => i.privileges,
    );
    expect(new Set(privileges)).toEqual(new Set(['read', 'view_index_metadata', 'maintenance']));
  });

  it('creates users with their roles and never lets the password into an error', async () => {
    const { transport, cluster } = es();
    await cluster.putUser('engine-svc', 'Zx9!secret-pw', ['firedrill_engine']);
    expect(transport.requests).toEqual([
      {
        method: 'PUT',
        path: '/_security/user/engine-svc',
        body: { password: 'Zx9!secret-pw', roles: ['firedrill_engine'] },
      },
    ]);
    expect(redact('echoed Zx9!secret-pw')).toBe('echoed ***');
    forgetSecrets();
  });
});

describe('roles on OpenSearch', () => {
  it('puts the role and maps it to the backend role of the same name', () => {
    const requests = roleRequests('opensearch', firedrillRoles().analyst);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /_plugins/_security/api/roles/firedrill_analyst',
      'PUT /_plugins/_security/api/rolesmapping/firedrill_analyst',
    ]);
    expect(requests[1]!.body).toEqual({ backend_roles: ['firedrill_analyst'] });
    expect(requests[0]!.body).toMatchObject({
      cluster_permissions: ['cluster_monitor', 'indices:data/read/mget', 'indices:data/read/scroll*'],
    });
  });
});
