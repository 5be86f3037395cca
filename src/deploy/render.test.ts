import { describe, expect, it } from 'vitest';
import type { DeploymentSummary } from './history.js';
import type { Plan, PlanEntry } from './plan.js';
import { planJson, renderHistory, renderPlan } from './render.js';

const body = { processors: [] };
const entry = (e: Partial<PlanEntry> & Pick<PlanEntry, 'action' | 'kind' | 'id'>): PlanEntry => ({
  hash: 'h1',
  resource: { kind: e.kind, id: e.id, hash: 'h1', body },
  ...e,
});

const plan: Plan = {
  deployment: 'prod',
  target: 'http://es:9200',
  currentVersion: 4,
  entries: [
    entry({ action: 'create', kind: 'pipeline', id: 'fd-gcp' }),
    entry({
      action: 'update',
      kind: 'pipeline',
      id: 'fd-aws',
      liveHash: 'h0',
      changes: [
        { type: 'CHANGE', path: ['processors', 0, 'set', 'value'], oldValue: 'aws', value: 'amazon' },
        { type: 'CREATE', path: ['processors', 1], value: { remove: { field: 'x'.repeat(200) } } },
      ],
    }),
    entry({ action: 'delete', kind: 'rule', id: 'old-rule', index: 'firedrill-rules' }),
    entry({ action: 'unchanged', kind: 'index', id: 'firedrill-rules' }),
  ],
  orphans: [],
  kept: [{ entry: entry({ action: 'delete', kind: 'index', id: 'fd-data' }), reason: 'holds 3 document(s)' }],
  counts: { create: 1, update: 1, delete: 1, unchanged: 1 },
  hasChanges: true,
  manifest: [],
};

// Colours are off when stdout is not a terminal (as under vitest); strip them anyway.
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

describe('renderPlan', () => {
  it('prints one line per change, field-level lines under updates, and the totals', () => {
    const lines = plain(renderPlan(plan)).split('\n');
    expect(lines).toEqual([
      "deployment 'prod' at http://es:9200 (now at version 4)",
      '  + pipeline fd-gcp',
      '  ~ pipeline fd-aws',
      '      ~ processors[0].set.value: "aws" → "amazon"',
      expect.stringMatching(/^ {6}\+ processors\[1\]: \{"remove":\{"field":"x+…$/),
      '  - rule old-rule (in firedrill-rules)',
      '  ! index fd-data not deleted: holds 3 document(s)',
      'Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.',
      '',
    ]);
    expect(plain(renderPlan(plan, { unchanged: true }))).toContain('  = index firedrill-rules\n');
  });

  it('shows a long text change around its first difference', () => {
    const script = 'ctx.a = 1; '.repeat(20);
    const changed = entry({
      action: 'update',
      kind: 'pipeline',
      id: 'p',
      changes: [
        { type: 'CHANGE', path: ['script'], oldValue: `${script}ctx.b = 2;`, value: `${script}ctx.b = 3;` },
      ],
    });
    expect(plain(renderPlan({ ...plan, entries: [changed] })).split('\n')[2]).toBe(
      '      ~ script: (from character 208) …" ctx.a = 1; ctx.b = 2;" → …" ctx.a = 1; ctx.b = 3;"',
    );
  });

  it('warns that an existing index only takes mapping changes', () => {
    const index = entry({
      action: 'update',
      kind: 'index',
      id: 'fd-rules',
      changes: [{ type: 'CHANGE', path: ['settings', 'number_of_shards'], oldValue: 1, value: 2 }],
    });
    expect(plain(renderPlan({ ...plan, entries: [index] }))).toContain(
      '      ~ settings.number_of_shards: 1 → 2\n      ! only mappings are updated on an existing index; settings and aliases need a reindex\n',
    );
  });

  it('says so when nothing changes', () => {
    const none = {
      ...plan,
      entries: [],
      kept: [],
      hasChanges: false,
      counts: { create: 0, update: 0, delete: 0, unchanged: 9 },
    };
    expect(plain(renderPlan(none))).toMatch(/\nNo changes: 9 resource\(s\) up to date\.\n$/);
  });
});

describe('planJson', () => {
  it('keeps actions, hashes and field changes but no bodies', () => {
    const json = planJson(plan) as { entries: Record<string, unknown>[] };
    expect(json.entries[1]).toEqual({
      action: 'update',
      kind: 'pipeline',
      id: 'fd-aws',
      hash: 'h1',
      liveHash: 'h0',
      changes: plan.entries[1]!.changes,
    });
    expect(JSON.stringify(json)).not.toContain('"processors":[]');
  });
});

describe('renderHistory', () => {
  it('lists versions newest first with who, what and how much', () => {
    const v: DeploymentSummary = {
      type: 'deployment',
      deployment: 'prod',
      version: 2,
      action: 'rollback',
      rolled_back_to: 1,
      time: '2024-03-05T10:00:00.000Z',
      user: 'alice',
      host: 'ci',
      firedrill_version: '0.1.0',
      changes: { create: 0, update: 2, delete: 1 },
      resourceCount: 30,
    };
    expect(renderHistory('prod', [v])).toBe(
      "deployment 'prod', newest first:\n     2  2024-03-05T10:00:00.000Z  rollback to 1   +0 ~2 -1  30 resources  alice@ci  firedrill 0.1.0\n",
    );
    expect(renderHistory('prod', [])).toBe("deployment 'prod' has no recorded versions\n");
  });
});
