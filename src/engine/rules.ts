import picomatch from 'picomatch';
import type { Cluster } from '../cluster/index.js';
import type { CompiledRule } from '../compile/types.js';
import { describeError, FiredrillError } from '../errors.js';
import type { Layout } from '../layout/index.js';
import { RuleRefusal, trustedRule } from './trust.js';

/** Most rules one engine reads from the rules index. */
const MAX_RULES = 10_000;

/** A rule document the engine will not run, and why (src/engine/trust.ts). */
export interface RefusedRule {
  ruleId: string;
  reason: string;
}

export interface DeployedRules {
  /** The rules the engine may run. */
  rules: CompiledRule[];
  refused: RefusedRule[];
}

/**
 * The enabled rules deployed in a deployment's rules index, optionally only those whose id matches a glob
 * (`*` any run of characters, `?` one; comma-separated alternatives). Each document is checked before it
 * is trusted (`trustedRule`); the ones that fail are returned as refused, never as rules.
 */
export async function readDeployedRules(
  cluster: Cluster,
  layout: Layout,
  glob?: string,
): Promise<DeployedRules> {
  const { rulesIndex } = layout;
  if (!(await cluster.indexExists(rulesIndex)))
    throw new FiredrillError(
      `no rules deployed at ${cluster.info.url}: index ${rulesIndex} does not exist (run \`firedrill deploy\`)`,
    );
  const res = await cluster.search<Record<string, unknown>>(rulesIndex, {
    size: MAX_RULES,
    query: { term: { firedrill_rule_enabled: true } },
    sort: [{ firedrill_rule_id: 'asc' }],
  });
  const matches = glob ? globMatcher(glob) : () => true;
  const deployed: DeployedRules = { rules: [], refused: [] };
  for (const hit of res.hits.hits) {
    if (!matches(hit._id)) continue;
    try {
      const rule = trustedRule(hit._source, layout);
      if (rule.id !== hit._id) throw new RuleRefusal(`the document holds rule '${rule.id}'`);
      deployed.rules.push(rule);
    } catch (error) {
      if (!(error instanceof RuleRefusal)) throw error;
      deployed.refused.push({ ruleId: hit._id, reason: `refused: ${describeError(error)}` });
    }
  }
  return deployed;
}

/** The enabled deployed rules the engine may run (see `readDeployedRules`). */
export async function loadDeployedRules(
  cluster: Cluster,
  layout: Layout,
  glob?: string,
): Promise<CompiledRule[]> {
  return (await readDeployedRules(cluster, layout, glob)).rules;
}

/** A matcher for comma-separated globs (rule ids, index patterns). */
export function globMatcher(glob: string): (id: string) => boolean {
  return picomatch(
    glob
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );
}
