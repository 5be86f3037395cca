import type { Cluster } from '../cluster/index.js';
import { describeError, FiredrillError } from '../errors.js';
import { managedMeta, stamp } from './metadata.js';
import { describe, type Plan, type PlanEntry } from './plan.js';

export interface ProgressEvent {
  phase: 'apply' | 'restore';
  /** 1-based position within the phase. */
  step: number;
  total: number;
  entry: PlanEntry;
}

export type ProgressListener = (event: ProgressEvent) => void | Promise<void>;

/**
 * Applies a plan's changes in order. If one fails, puts back every resource it had already changed
 * (from the before-images the plan read) and throws one line naming the resource and the reason.
 */
export async function applyPlan(
  cluster: Cluster,
  plan: Plan,
  hooks: { onProgress?: ProgressListener; beforeEach?: () => Promise<void> } = {},
): Promise<void> {
  const { onProgress } = hooks;
  const changes = plan.entries.filter((e) => e.action !== 'unchanged');
  const done: PlanEntry[] = [];
  for (const [i, entry] of changes.entries()) {
    try {
      await hooks.beforeEach?.();
      await applyEntry(cluster, plan.deployment, entry);
      done.push(entry);
      await onProgress?.({ phase: 'apply', step: i + 1, total: changes.length, entry });
    } catch (error) {
      const restored = await restore(cluster, done.reverse(), onProgress);
      throw new FiredrillError(`deploy failed at ${describe(entry)}: ${describeError(error)}; ${restored}`, {
        cause: error,
        // A refused permission stays one (exit 77), a cluster gone away stays unreachable (69).
        exitCode: error instanceof FiredrillError ? error.exitCode : undefined,
      });
    }
  }
  const ruleIndices = new Set(changes.filter((e) => e.kind === 'rule').map((e) => e.index as string));
  // The engine and the next plan search the rules index: make the new documents visible now.
  for (const index of ruleIndices) await cluster.refresh(index);
}

async function applyEntry(cluster: Cluster, deployment: string, entry: PlanEntry): Promise<void> {
  const { kind, id } = entry;
  if (entry.action === 'delete') {
    if (kind === 'index' && entry.live) {
      // The plan saw it empty; documents may have arrived since, and a deploy never deletes data.
      const docs = await cluster.count(id);
      if (docs > 0) throw new FiredrillError(`index ${id} now holds ${docs} document(s); not deleting it`);
      // Keep the full mapping so a failure later on can recreate the (empty) index.
      const mapping = (await cluster.getMapping(id))[id]?.mappings ?? {};
      entry.live = { ...entry.live, stored: { mappings: mapping } };
    }
    return remove(cluster, entry);
  }
  const body = stamp(entry.resource, managedMeta(deployment, entry.hash));
  switch (kind) {
    case 'component_template':
    case 'index_template':
    case 'pipeline':
      return putDefinition(cluster, kind, id, body);
    case 'index':
      if (entry.action === 'create') {
        if (!(await cluster.createIndex(id, body)))
          throw new FiredrillError(`index ${id} was created by someone else during the deploy`);
        return;
      }
      // Mappings only grow; settings and removed fields need a reindex, which a deploy never does.
      return cluster.putMapping(id, body.mappings);
    case 'rule':
      await cluster.putDoc(entry.index as string, id, body);
      return;
  }
}

/** Templates and pipelines are replaced whole, both when applying and when restoring. */
function putDefinition(
  cluster: Cluster,
  kind: 'component_template' | 'index_template' | 'pipeline',
  id: string,
  body: unknown,
): Promise<void> {
  if (kind === 'component_template') return cluster.putComponentTemplate(id, body);
  if (kind === 'index_template') return cluster.putIndexTemplate(id, body);
  return cluster.putPipeline(id, body);
}

async function remove(cluster: Cluster, entry: { kind: PlanEntry['kind']; id: string; index?: string }) {
  switch (entry.kind) {
    case 'component_template':
      return cluster.deleteComponentTemplate(entry.id);
    case 'index_template':
      return cluster.deleteIndexTemplate(entry.id);
    case 'pipeline':
      return cluster.deletePipeline(entry.id);
    case 'index':
      return cluster.deleteIndex(entry.id);
    case 'rule':
      await cluster.deleteDoc(entry.index as string, entry.id, { refresh: true });
      return;
  }
}

/** Puts back the before-image of each changed entry (newest first); says how that went in one clause. */
async function restore(cluster: Cluster, done: PlanEntry[], onProgress?: ProgressListener): Promise<string> {
  if (done.length === 0) return 'nothing had been changed';
  for (const [i, entry] of done.entries()) {
    try {
      await restoreEntry(cluster, entry);
    } catch (error) {
      return `restoring ${describe(entry)} also failed (${describeError(error)}); ${i} of ${done.length} changed resources were restored`;
    }
    await onProgress?.({ phase: 'restore', step: i + 1, total: done.length, entry });
  }
  return `restored the ${done.length} resource(s) it had changed`;
}

async function restoreEntry(cluster: Cluster, entry: PlanEntry): Promise<void> {
  const { kind, id, live } = entry;
  if (entry.action === 'create' || !live) return remove(cluster, entry);
  const stored = live.stored;
  switch (kind) {
    case 'component_template':
    case 'index_template':
    case 'pipeline':
      return putDefinition(cluster, kind, id, stored);
    case 'index':
      if (entry.action === 'delete') {
        await cluster.createIndex(id, stored);
        return;
      }
      // Added mapping fields cannot be removed; put back the stamp so the index reads as its old version.
      return cluster.putMapping(id, { _meta: (stored.mappings as { _meta?: unknown })?._meta ?? {} });
    case 'rule':
      await cluster.putDoc(entry.index as string, id, stored, { refresh: true });
      return;
  }
}
