import type { Distribution, RequestParams } from './types.js';

/** What a role may do cluster-wide, in firedrill's terms; each distribution has its own names for it. */
export type ClusterPrivilege =
  | 'monitor'
  | 'read_pipelines'
  | 'simulate_pipelines'
  | 'manage_pipelines'
  | 'manage_templates'
  | 'bulk'
  | 'multi_read';

/** What a role may do on a set of indices. */
export type IndexPrivilege =
  'read' | 'create_doc' | 'write' | 'delete' | 'create_index' | 'refresh' | 'manage';

/** A role both distributions can hold: privileges in firedrill's terms, each with why it is needed. */
export interface PortableRole {
  name: string;
  description: string;
  cluster: { privileges: ClusterPrivilege[]; why: string }[];
  indices: { names: string[]; privileges: IndexPrivilege[]; why: string }[];
}

/**
 * OpenSearch security names. Bulk, multi-get and scroll are checked as cluster actions before their
 * items are checked per index, so a role that uses them needs both.
 */
const OPENSEARCH_CLUSTER: Record<ClusterPrivilege, string[]> = {
  monitor: ['cluster_monitor'],
  read_pipelines: ['cluster:admin/ingest/pipeline/get'],
  simulate_pipelines: ['cluster:admin/ingest/pipeline/simulate'],
  manage_pipelines: ['cluster_manage_pipelines'],
  manage_templates: ['cluster_manage_index_templates'],
  bulk: ['indices:data/write/bulk'],
  multi_read: ['indices:data/read/mget', 'indices:data/read/scroll*'],
};

const OPENSEARCH_INDEX: Record<IndexPrivilege, string[]> = {
  read: ['read', 'indices:admin/get', 'indices:admin/mappings/get'],
  create_doc: ['indices:data/write/index', 'indices:data/write/bulk*'],
  write: ['write'],
  delete: ['delete'],
  create_index: ['create_index'],
  refresh: ['indices:admin/refresh*'],
  manage: ['manage'],
};

/** Elasticsearch names (its scroll, bulk and mget need no cluster privilege). */
const ELASTICSEARCH_CLUSTER: Record<ClusterPrivilege, string[]> = {
  monitor: ['monitor'],
  read_pipelines: ['read_pipeline'],
  simulate_pipelines: ['read_pipeline'],
  manage_pipelines: ['manage_pipeline'],
  manage_templates: ['manage_index_templates'],
  bulk: [],
  multi_read: [],
};

const ELASTICSEARCH_INDEX: Record<IndexPrivilege, string[]> = {
  read: ['read', 'view_index_metadata'],
  create_doc: ['create_doc'],
  write: ['write'],
  delete: ['delete'],
  create_index: ['create_index'],
  refresh: ['maintenance'],
  manage: ['manage'],
};

const unique = (names: string[]) => [...new Set(names)];

/** The role as the distribution's security API takes it (OpenSearch: `_plugins/_security`; Elasticsearch: `_security`). */
function nativeRole(distribution: Distribution, role: PortableRole): Record<string, unknown> {
  const [clusterNames, indexNames] =
    distribution === 'opensearch'
      ? [OPENSEARCH_CLUSTER, OPENSEARCH_INDEX]
      : [ELASTICSEARCH_CLUSTER, ELASTICSEARCH_INDEX];
  const cluster = unique(role.cluster.flatMap((c) => c.privileges.flatMap((p) => clusterNames[p])));
  const indices = role.indices.map((entry) => ({
    names: entry.names,
    privileges: unique(entry.privileges.flatMap((p) => indexNames[p])),
  }));
  if (distribution === 'opensearch')
    return {
      description: role.description,
      cluster_permissions: cluster,
      index_permissions: indices.map((i) => ({ index_patterns: i.names, allowed_actions: i.privileges })),
    };
  // Elasticsearch before 8.15 has no role `description`; metadata is free-form on every version.
  return { cluster, indices, metadata: { description: role.description } };
}

/**
 * The requests that create a role. On OpenSearch the role is also mapped to the backend role of the
 * same name, which `Cluster.putUser` gives its users (and an LDAP/SAML group of that name would give too).
 */
export function roleRequests(distribution: Distribution, role: PortableRole): RequestParams[] {
  const body = nativeRole(distribution, role);
  const name = encodeURIComponent(role.name);
  if (distribution === 'elasticsearch') return [{ method: 'PUT', path: `/_security/role/${name}`, body }];
  return [
    { method: 'PUT', path: `/_plugins/_security/api/roles/${name}`, body },
    {
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${name}`,
      body: { backend_roles: [role.name] },
    },
  ];
}
