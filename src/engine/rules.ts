import picomatch from 'picomatch';
import type { Cluster } from '../cluster/index.js';
import type { CompiledRule } from '../compile/types.js';
import { FiredrillError } from '../errors.js';

/** Most rules one engine reads from the rules index. */
const MAX_RULES = 10_000;

/**
 * The enabled rules deployed in the cluster, optionally only those whose id matches a glob
 * (`*` any run of characters, `?` one; comma-separated alternatives).
 */
export async function loadDeployedRules(
  cluster: Cluster,
  rulesIndex: string,
  glob?: string,
): Promise<CompiledRule[]> {
  if (!(await cluster.indexExists(rulesIndex)))
    throw new FiredrillError(
      `no rules deployed at ${cluster.info.url}: index ${rulesIndex} does not exist (run \`firedrill deploy\`)`,
    );
  const res = await cluster.search<{ firedrill_rule: CompiledRule }>(rulesIndex, {
    size: MAX_RULES,
    _source: ['firedrill_rule'],
    query: { term: { firedrill_rule_enabled: true } },
    sort: [{ firedrill_rule_id: 'asc' }],
  });
  const matches = glob ? globMatcher(glob) : () => true;
  return res.hits.hits.map((hit) => hit._source.firedrill_rule).filter((rule) => matches(rule.id));
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
