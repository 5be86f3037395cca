import diff, { type Difference } from 'microdiff';
import type { Cluster } from '../cluster/index.js';
import { RESOURCE_KIND_ORDER, type Resource, type ResourceKind } from '../compile/types.js';
import { FiredrillError } from '../errors.js';
import { checkDeploymentName, DEFAULT_DEPLOYMENT, layoutOf } from '../layout/index.js';
import { latestDeployment, type DeployedResource } from './history.js';
import { contentHash } from './metadata.js';
import { readLiveState, resourceKey, type LiveResource } from './state.js';

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface PlanEntry {
  action: PlanAction;
  kind: ResourceKind;
  id: string;
  index?: string;
  /** The wanted content hash (create/update/unchanged) or the deployed one (delete). */
  hash: string;
  /** The hash the cluster holds now, when firedrill manages it. */
  liveHash?: string;
  /** Updates of a resource firedrill did not create (same name, no stamp): it is taken over. */
  adopt?: boolean;
  /** Field-level changes from the last deployed body (or the cluster's, for adopted resources). */
  changes?: Difference[];
  /** The wanted resource (create/update/unchanged) or the deployed one (delete). */
  resource: DeployedResource;
  /** The resource in the cluster now; undefined for creates. */
  live?: LiveResource;
}

export interface Plan {
  deployment: string;
  target: string;
  /** The version the cluster is at now (0 before the first deploy). */
  currentVersion: number;
  /** In apply order: creates and updates by kind, then deletes (rules first, indices last). */
  entries: PlanEntry[];
  /** Resources this deployment manages that the content no longer has, kept because prune is off. */
  orphans: PlanEntry[];
  /** Resources to delete that are kept anyway (e.g. indices holding documents), with why. */
  kept: { entry: PlanEntry; reason: string }[];
  counts: Record<PlanAction, number>;
  hasChanges: boolean;
  /** Every resource this deployment will manage after applying: what a version records. */
  manifest: DeployedResource[];
}

export interface PlanOptions {
  /** Names one set of resources in a cluster (default `default`): ownership, prune, history and lock are per deployment. */
  deployment?: string;
  /** Delete resources this deployment manages that are not in `resources`. */
  prune?: boolean;
  historyIndex?: string;
}

/** Compares compiled resources with the cluster: reads only, never writes. */
export async function plan(
  cluster: Cluster,
  resources: Resource[],
  options: PlanOptions = {},
): Promise<Plan> {
  const deployment = checkDeploymentName(options.deployment ?? DEFAULT_DEPLOYMENT);
  const wanted = sortByKind(resources.map(toDeployed));
  const previous = await latestDeployment(
    cluster,
    options.historyIndex ?? layoutOf().historyIndex,
    deployment,
  );
  const deployedBefore = new Map((previous?.resources ?? []).map((r) => [resourceKey(r), r]));
  const ruleIndices = new Set(
    [...wanted, ...deployedBefore.values()].filter((r) => r.kind === 'rule').map((r) => r.index as string),
  );
  const indices = (list: Iterable<DeployedResource>) =>
    [...list].filter((r) => r.kind === 'index').map((r) => r.id);
  const live = await readLiveState(cluster, {
    indices: indices(wanted),
    // Its engine indices by pattern (an index stamped but missing from history is still found), and every
    // index it wants or deployed before, whatever the content named them.
    indexPatterns: [
      layoutOf(deployment).scope('firedrill-*'),
      ...indices(wanted),
      ...indices(deployedBefore.values()),
    ],
    ruleIndices: [...ruleIndices],
  });

  const entries: PlanEntry[] = [];
  const seen = new Set<string>();
  for (const resource of wanted) {
    const key = resourceKey(resource);
    if (seen.has(key))
      throw new FiredrillError(`two resources compile to ${describe(resource)}${from(resource)}`);
    seen.add(key);
    const current = live.get(key);
    const owner = current?.meta?.firedrill_deployment;
    if (owner && owner !== deployment)
      throw new FiredrillError(
        `${describe(resource)} is managed by deployment '${owner}', not '${deployment}'${from(resource)}`,
      );
    if (!current) {
      entries.push(entryFor('create', resource));
      continue;
    }
    const liveHash = current.meta?.firedrill_hash;
    if (liveHash === resource.hash) {
      entries.push(entryFor('unchanged', resource, { liveHash, live: current }));
      continue;
    }
    const before = deployedBefore.get(key);
    const baseline = before && before.hash === liveHash ? before.body : current.stored;
    entries.push(
      entryFor('update', resource, {
        liveHash,
        adopt: !current.meta || undefined,
        changes: diff(baseline, resource.body),
        live: current,
      }),
    );
  }

  const leftovers = [...live.values()]
    .filter((r) => r.meta?.firedrill_deployment === deployment && !seen.has(resourceKey(r)))
    .map((r) => {
      const hash = r.meta?.firedrill_hash ?? '';
      const before = deployedBefore.get(resourceKey(r));
      // The body as deployed when history has it, so a rollback or a kept orphan can be put back faithfully.
      const deployed =
        before?.hash === hash ? before : { kind: r.kind, id: r.id, index: r.index, hash, body: r.stored };
      return entryFor('delete', deployed, { live: r });
    });
  const kept: Plan['kept'] = [];
  const deletes: PlanEntry[] = [];
  if (options.prune)
    for (const entry of sortByKind(leftovers, deleteOrder)) {
      const docs = entry.kind === 'index' ? await cluster.count(entry.id) : 0;
      if (docs > 0) kept.push({ entry, reason: `holds ${docs} document(s); delete it yourself if intended` });
      else deletes.push(entry);
    }
  const orphans = options.prune ? [] : sortByKind(leftovers);

  const all = [
    ...entries.filter((e) => e.action !== 'unchanged'),
    ...deletes,
    ...entries.filter((e) => e.action === 'unchanged'),
  ];
  const counts: Record<PlanAction, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const e of all) counts[e.action]++;
  return {
    deployment,
    target: cluster.info.url,
    currentVersion: previous?.version ?? 0,
    entries: all,
    orphans,
    kept,
    counts,
    hasChanges: counts.create + counts.update + counts.delete > 0,
    manifest: [...wanted, ...[...orphans, ...kept.map((k) => k.entry)].map((e) => e.resource)],
  };
}

function entryFor(action: PlanAction, resource: DeployedResource, extra: Partial<PlanEntry> = {}): PlanEntry {
  const { kind, id, index, hash } = resource;
  return { action, kind, id, ...(index ? { index } : {}), hash, resource, ...extra };
}

const INDEX_BODY_KEYS = ['settings', 'mappings', 'aliases'];

function toDeployed(resource: Resource): DeployedResource {
  const stray =
    resource.kind === 'index' && Object.keys(resource.body).find((k) => !INDEX_BODY_KEYS.includes(k));
  if (stray)
    throw new FiredrillError(
      `${describe(resource)}${resource.sourceFile ? ` (from ${resource.sourceFile})` : ''}: '${stray}' is not part of an index body (settings, mappings, aliases)${stray === '_meta' ? '; put _meta under mappings' : ''}`,
    );
  if (resource.kind === 'rule' && !resource.index)
    throw new FiredrillError(`${describe(resource)}: a rule resource needs the index that holds it`);
  return {
    kind: resource.kind,
    id: resource.id,
    ...(resource.kind === 'rule' ? { index: resource.index } : {}),
    hash: contentHash(resource.body),
    body: resource.body,
    ...(resource.sourceFile ? { sourceFile: resource.sourceFile } : {}),
  };
}

// Indices go last among deletes: nothing depends on them, and they are the one thing a delete cannot fully undo.
const deleteOrder: ResourceKind[] = ['rule', 'pipeline', 'index_template', 'component_template', 'index'];

function sortByKind<T extends { kind: ResourceKind }>(
  items: T[],
  order: readonly ResourceKind[] = RESOURCE_KIND_ORDER,
): T[] {
  return [...items].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

export function describe(r: { kind: ResourceKind; id: string; index?: string }): string {
  return r.kind === 'rule' ? `rule '${r.id}' (in ${r.index})` : `${r.kind.replace('_', ' ')} '${r.id}'`;
}

function from(r: DeployedResource): string {
  return r.sourceFile ? ` (from ${r.sourceFile})` : '';
}
