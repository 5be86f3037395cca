import type { Difference } from 'microdiff';
import pc from 'picocolors';
import type { DeploymentSummary } from './history.js';
import type { Plan, PlanAction, PlanEntry } from './plan.js';

const SIGN: Record<PlanAction, string> = { create: '+', update: '~', delete: '-', unchanged: '=' };
const PAINT: Record<PlanAction, (s: string) => string> = {
  create: pc.green,
  update: pc.yellow,
  delete: pc.red,
  unchanged: pc.dim,
};
const MAX_VALUE = 100;

/** The plan as a terraform-like text diff: one line per change, field-level lines under updates. */
export function renderPlan(plan: Plan, options: { unchanged?: boolean } = {}): string {
  const lines = [`deployment '${plan.deployment}' at ${plan.target} (now at version ${plan.currentVersion})`];
  for (const entry of plan.entries) {
    if (entry.action === 'unchanged' && !options.unchanged) continue;
    lines.push(
      PAINT[entry.action](
        `  ${SIGN[entry.action]} ${label(entry)}${entry.adopt ? ' (exists, not managed by firedrill: taken over)' : ''}`,
      ),
    );
    for (const change of entry.changes ?? []) lines.push(`      ${renderChange(change)}`);
    if (
      entry.kind === 'index' &&
      entry.action === 'update' &&
      entry.changes?.some((c) => c.path[0] !== 'mappings')
    )
      lines.push(
        pc.yellow(
          '      ! only mappings are updated on an existing index; settings and aliases need a reindex',
        ),
      );
  }
  for (const { entry, reason } of plan.kept)
    lines.push(pc.yellow(`  ! ${label(entry)} not deleted: ${reason}`));
  for (const entry of plan.orphans)
    lines.push(pc.dim(`  ? ${label(entry)} is no longer in the content (kept; --prune deletes it)`));
  const { create, update, delete: del, unchanged } = plan.counts;
  lines.push(
    plan.hasChanges
      ? `Plan: ${create} to create, ${update} to update, ${del} to delete, ${unchanged} unchanged.`
      : `No changes: ${unchanged} resource(s) up to date.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The plan for machines: everything but the bodies. */
export function planJson(plan: Plan): unknown {
  const entry = (e: PlanEntry) => ({
    action: e.action,
    kind: e.kind,
    id: e.id,
    ...(e.index ? { index: e.index } : {}),
    hash: e.hash,
    ...(e.liveHash ? { liveHash: e.liveHash } : {}),
    ...(e.adopt ? { adopt: true } : {}),
    ...(e.changes ? { changes: e.changes } : {}),
  });
  return {
    deployment: plan.deployment,
    target: plan.target,
    currentVersion: plan.currentVersion,
    hasChanges: plan.hasChanges,
    counts: plan.counts,
    entries: plan.entries.map(entry),
    kept: plan.kept.map((k) => ({ ...entry(k.entry), reason: k.reason })),
    orphans: plan.orphans.map(entry),
  };
}

/** One line per version, newest first. */
export function renderHistory(deployment: string, versions: DeploymentSummary[]): string {
  if (versions.length === 0) return `deployment '${deployment}' has no recorded versions\n`;
  const lines = versions.map((v) => {
    const what = v.action === 'rollback' ? `rollback to ${v.rolled_back_to}` : 'deploy';
    const { create, update, delete: del } = v.changes;
    return `  ${String(v.version).padStart(4)}  ${v.time}  ${what.padEnd(15)} +${create} ~${update} -${del}  ${v.resourceCount} resources  ${v.user}@${v.host}  firedrill ${v.firedrill_version}`;
  });
  return `deployment '${deployment}', newest first:\n${lines.join('\n')}\n`;
}

export function label(entry: Pick<PlanEntry, 'kind' | 'id' | 'index'>): string {
  return `${entry.kind} ${entry.id}${entry.index ? ` (in ${entry.index})` : ''}`;
}

function renderChange(change: Difference): string {
  const path = change.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  switch (change.type) {
    case 'CREATE':
      return pc.green(`+ ${path}: ${value(change.value)}`);
    case 'REMOVE':
      return pc.red(`- ${path}: ${value(change.oldValue)}`);
    case 'CHANGE':
      if (typeof change.oldValue === 'string' && typeof change.value === 'string')
        return pc.yellow(`~ ${path}: ${textChange(change.oldValue, change.value)}`);
      return pc.yellow(`~ ${path}: ${value(change.oldValue)} → ${value(change.value)}`);
  }
}

/** Long texts (scripts, descriptions) shown around their first difference, not from their shared start. */
function textChange(before: string, after: string): string {
  let at = 0;
  while (at < before.length && before[at] === after[at]) at++;
  if (Math.max(before.length, after.length) <= MAX_VALUE / 2 || at < MAX_VALUE / 4)
    return `${value(before)} → ${value(after)}`;
  const from = at - 20;
  const excerpt = (t: string) => `…${value(t.slice(from, at + MAX_VALUE / 2 - 20))}`;
  return `(from character ${from}) ${excerpt(before)} → ${excerpt(after)}`;
}

function value(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
