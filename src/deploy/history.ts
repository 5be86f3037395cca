import { hostname, userInfo } from 'node:os';
import type { Cluster } from '../cluster/index.js';
import type { ResourceKind } from '../compile/types.js';
import { FiredrillError } from '../errors.js';
import { FIREDRILL_VERSION } from './metadata.js';

/** One resource exactly as a version deployed it. */
export interface DeployedResource {
  kind: ResourceKind;
  id: string;
  index?: string;
  hash: string;
  body: Record<string, unknown>;
  sourceFile?: string;
}

/** A deployed version: who, when, what changed, and every resource's full compiled body. */
export interface DeploymentRecord {
  type: 'deployment';
  deployment: string;
  version: number;
  action: 'deploy' | 'rollback';
  /** For rollbacks: the version restored. */
  rolled_back_to?: number;
  time: string;
  user: string;
  host: string;
  firedrill_version: string;
  changes: { create: number; update: number; delete: number };
  resources: DeployedResource[];
}

export type DeploymentSummary = Omit<DeploymentRecord, 'resources'> & { resourceCount: number };

const HISTORY_MAPPINGS = {
  // Bodies are kept in _source only; nothing but the bookkeeping fields is searchable.
  dynamic: false,
  properties: {
    type: { type: 'keyword' },
    deployment: { type: 'keyword' },
    version: { type: 'long' },
    time: { type: 'date' },
    action: { type: 'keyword' },
  },
};

/** Creates the history index when it is missing; a read when it exists. */
export async function ensureHistoryIndex(cluster: Cluster, index: string): Promise<void> {
  if (await cluster.indexExists(index)) return;
  await cluster.createIndex(index, {
    settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
    mappings: HISTORY_MAPPINGS,
  });
}

function byDeployment(deployment: string) {
  return {
    bool: { filter: [{ term: { type: 'deployment' } }, { term: { deployment } }] },
  };
}

/** The newest version of a deployment, bodies included; undefined before the first deploy. */
export async function latestDeployment(
  cluster: Cluster,
  index: string,
  deployment: string,
): Promise<DeploymentRecord | undefined> {
  const res = await cluster.search<DeploymentRecord>(index, {
    size: 1,
    query: byDeployment(deployment),
    sort: [{ version: 'desc' }],
  });
  return res.hits.hits[0]?._source;
}

/** Every version of a deployment, newest first, without bodies. */
export async function listDeployments(
  cluster: Cluster,
  index: string,
  deployment: string,
): Promise<DeploymentSummary[]> {
  const res = await cluster.search<DeploymentRecord>(index, {
    size: 10_000,
    query: byDeployment(deployment),
    sort: [{ version: 'desc' }],
    _source: { excludes: ['resources.body'] },
  });
  return res.hits.hits.map(({ _source: { resources, ...rest } }) => ({
    ...rest,
    resourceCount: resources.length,
  }));
}

export async function getDeployment(
  cluster: Cluster,
  index: string,
  deployment: string,
  version: number,
): Promise<DeploymentRecord> {
  const doc = await cluster.getDoc<DeploymentRecord>(index, recordId(deployment, version));
  if (!doc)
    throw new FiredrillError(
      `deployment '${deployment}' has no version ${version} (see \`firedrill rollback --list\`)`,
    );
  return doc._source;
}

/** Appends the next version; runs under the deploy lock, and create-only keeps versions unique regardless. */
export async function recordDeployment(
  cluster: Cluster,
  index: string,
  record: Omit<DeploymentRecord, 'type' | 'version' | 'time' | 'user' | 'host' | 'firedrill_version'>,
  previous: number,
): Promise<DeploymentRecord> {
  const full: DeploymentRecord = {
    type: 'deployment',
    version: previous + 1,
    time: new Date().toISOString(),
    user: userInfo().username,
    host: hostname(),
    firedrill_version: FIREDRILL_VERSION,
    ...record,
  };
  const res = await cluster.putDoc(index, recordId(record.deployment, full.version), full, {
    opType: 'create',
    refresh: true,
  });
  if (res.result === 'conflict')
    throw new FiredrillError(
      `version ${full.version} of deployment '${record.deployment}' was recorded by someone else meanwhile`,
    );
  return full;
}

function recordId(deployment: string, version: number): string {
  return `deployment:${deployment}:${version}`;
}
