import type { CompiledRule, Dsl } from '../../compile/types.js';
import { markerFilters, scopeFilter, type EvaluationContext, type Scope } from '../scope.js';
import { chunks, clauses, DEFAULT_MAX_CLAUSES } from './query.js';

interface EvidenceResponse {
  rules: { buckets: Record<string, { doc_count: number }> };
}

/** What an event must match to be new evidence for a rule: its query, or any step of a sequence. */
function evidenceQuery(rule: CompiledRule): Dsl {
  return rule.type === 'sequence'
    ? { bool: { should: rule.steps.map((step) => step.query), minimum_should_match: 1 } }
    : rule.query;
}

/**
 * The rules that have at least one new event of evidence in their scope. Every evaluator starts from such
 * events (a threshold crossing, a new term or a chain step needs one), so a rule without any has nothing to
 * find, and skipping it saves its searches: one `filters` aggregation per index set and chunk answers for
 * all of them. A chunk the cluster refuses counts all its rules in, so each is evaluated, and fails, alone.
 */
export async function rulesWithEvidence(
  context: EvaluationContext,
  scoped: { rule: CompiledRule; scope: Scope }[],
  maxClauses = DEFAULT_MAX_CLAUSES,
): Promise<Set<string>> {
  const out = new Set<string>();
  const byIndex = new Map<string, typeof scoped>();
  for (const entry of scoped) {
    const key = entry.rule.index.join(',');
    if (!byIndex.has(key)) byIndex.set(key, []);
    byIndex.get(key)!.push(entry);
  }
  const check = async (chunk: typeof scoped): Promise<void> => {
    try {
      const res = await context.cluster.search<unknown, EvidenceResponse>(chunk[0]!.rule.index, {
        size: 0,
        track_total_hits: false,
        query: { bool: { filter: markerFilters(context) } },
        aggs: {
          rules: {
            filters: {
              filters: Object.fromEntries(
                chunk.map(({ rule, scope }) => [
                  rule.id,
                  { bool: { filter: [evidenceQuery(rule), scopeFilter(scope)] } },
                ]),
              ),
            },
          },
        },
      });
      for (const [id, bucket] of Object.entries(res.aggregations?.rules.buckets ?? {}))
        if (bucket.doc_count > 0) out.add(id);
    } catch {
      for (const { rule } of chunk) out.add(rule.id);
    }
  };
  await Promise.all(
    [...byIndex.values()].flatMap((entries) =>
      chunks(entries, ({ rule }) => clauses(evidenceQuery(rule)), maxClauses).map(check),
    ),
  );
  return out;
}
