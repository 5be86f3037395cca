import { createHash } from 'node:crypto';
import stringify from 'fast-json-stable-stringify';
import type { AttackTable } from '../../content/attack.js';
import type { FiredrillConfig } from '../../content/config.js';
import type { Detections, LoadedRule, RuleFile } from '../../content/rules.js';
import { ContentError, ContentErrors } from '../../errors.js';
import { parseDuration } from '../../time/index.js';
import type { CompiledRule, Dsl, Severity, ThreatMapping } from '../types.js';
import { compileCondition, useField, type ConditionContext, type Path } from './condition.js';

/** A compiled rule before its hash (Omit distributed over the union). */
type UnhashedRule = CompiledRule extends infer R ? (R extends CompiledRule ? Omit<R, 'hash'> : never) : never;

/** Risk-score range of each severity (Elastic's convention). */
export const RISK_RANGES: Record<Severity, [number, number]> = {
  low: [0, 21],
  medium: [22, 47],
  high: [48, 73],
  critical: [74, 100],
};

/** Whom approved provisioners are matched against. */
const ACTOR_IDS = 'firedrill.actor.ids';

/** One rule's compilation: the rule if it is valid, its problems, and the fields it reads. */
export interface RuleCompilation {
  loaded: LoadedRule;
  rule?: CompiledRule;
  errors: ContentError[];
  fields: Map<string, Path>;
}

/** Compiles every rule; throws every problem at once (see validateRules for a report). */
export function compileRules(detections: Detections, config: FiredrillConfig): CompiledRule[] {
  const results = compileRuleSet(detections, config);
  const errors = results.flatMap((r) => r.errors);
  if (errors.length) throw new ContentErrors(errors);
  return results.map((r) => r.rule!);
}

/** Compiles every rule and reports per rule: the rule if it is valid, else its problems. */
export function compileRuleSet({ rules, attack }: Detections, config: FiredrillConfig): RuleCompilation[] {
  return rules.map((loaded) => compileRule(loaded, config, attack));
}

/** Compiles one loaded rule file into the engine's contract (src/compile/types.ts). */
export function compileRule(
  loaded: LoadedRule,
  config: FiredrillConfig,
  attack: AttackTable,
): RuleCompilation {
  const { rule, source } = loaded;
  const errors: ContentError[] = [];
  const ctx: ConditionContext = {
    parameters: config.parameters,
    fields: new Map(),
    params: new Set(),
    problem: (path, message) =>
      errors.push(new ContentError(source.file, message, source.lineOf(path), path.join('.') || undefined)),
  };
  const ms = (text: string, path: Path): number => {
    const value = parseDuration(text);
    if (value <= 0) ctx.problem(path, 'must be longer than 0');
    return value;
  };

  const [low, high] = RISK_RANGES[rule.severity];
  if (rule.risk_score < low || rule.risk_score > high)
    ctx.problem(['risk_score'], `${rule.risk_score} does not fit severity ${rule.severity} (${low}–${high})`);
  const threat = rule.threat.flatMap((ref, i): ThreatMapping[] => {
    try {
      return [attack.resolve(ref)];
    } catch (error) {
      ctx.problem(['threat', i], (error as Error).message);
      return [];
    }
  });

  const intervalMs = ms(rule.schedule.interval, ['schedule', 'interval']);
  const lookbackMs = ms(rule.schedule.lookback, ['schedule', 'lookback']);
  if (lookbackMs < intervalMs)
    ctx.problem(['schedule', 'lookback'], 'must be at least the interval, or events between runs are missed');
  const within = (windowMs: number, path: Path, what: string): void => {
    if (windowMs > lookbackMs)
      ctx.problem(path, `${what} is longer than schedule.lookback, so it can never be seen whole`);
  };

  checkTypeBlocks(rule, ctx);
  const exemption = exemptionFor(rule, config, ctx);
  const where = (): Dsl => exemption(compileCondition(rule.where, ['where'], ctx));
  for (const [i, field] of (rule.required_fields ?? []).entries())
    useField(ctx, field, ['required_fields', i]);

  const base = {
    id: rule.id,
    name: rule.name,
    description: rule.description.trim(),
    severity: rule.severity,
    riskScore: rule.risk_score,
    threat,
    tags: rule.tags,
    index: rule.index,
    enabled: rule.enabled,
    intervalMs,
    lookbackMs,
    maxAlerts: rule.max_alerts,
    suppressionMs: ms(rule.suppression.window, ['suppression', 'window']),
    investigation: rule.investigation,
    falsePositives: rule.false_positives,
    ...(rule.include_first_activity && {
      includeFirstActivity: { withinMs: ms(rule.include_first_activity, ['include_first_activity']) },
    }),
  };

  let compiled: UnhashedRule | undefined;
  switch (rule.type) {
    case 'query':
      if (!rule.where) break;
      compiled = {
        ...base,
        type: 'query',
        groupBy: rule.suppression.group_by ?? ['event.id'],
        query: where(),
      };
      break;
    case 'threshold': {
      if (!rule.threshold || !rule.where) break;
      const t = rule.threshold;
      const windowMs = ms(t.window, ['threshold', 'window']);
      within(windowMs, ['threshold', 'window'], 'the threshold window');
      t.group_by.forEach((f, i) => useField(ctx, f, ['threshold', 'group_by', i]));
      if (t.distinct) {
        useField(ctx, t.distinct, ['threshold', 'distinct']);
        if (t.group_by.includes(t.distinct))
          ctx.problem(['threshold', 'distinct'], 'is one of group_by, so every group would count 1');
      }
      compiled = {
        ...base,
        type: 'threshold',
        groupBy: t.group_by,
        query: where(),
        threshold: { value: t.value, windowMs, ...(t.distinct && { cardinalityField: t.distinct }) },
      };
      break;
    }
    case 'sequence': {
      if (!rule.sequence) break;
      const maxSpanMs = ms(rule.sequence.max_span, ['sequence', 'max_span']);
      within(maxSpanMs, ['sequence', 'max_span'], 'max_span');
      const joins = rule.sequence.steps.map((step) => [step.join].flat());
      const steps = rule.sequence.steps.map((step, i) => {
        const at = ['sequence', 'steps', i, 'join'];
        joins[i]!.forEach((field) => useField(ctx, field, at));
        if (joins[i]!.length !== joins[0]!.length)
          ctx.problem(
            at,
            `joins on ${joins[i]!.length} field(s) where the first step joins on ${joins[0]!.length}`,
          );
        const query = exemption(compileCondition(step.where, ['sequence', 'steps', i, 'where'], ctx));
        return { name: step.name, query, join: joins[i]! };
      });
      compiled = {
        ...base,
        type: 'sequence',
        groupBy: rule.suppression.group_by ?? joins[0]!,
        steps,
        maxSpanMs,
        // Only written when off, so the hashes of ordered sequences do not change.
        ...(rule.sequence.ordered === false ? { ordered: false as const } : {}),
      };
      break;
    }
    case 'new_terms': {
      if (!rule.new_terms || !rule.where) break;
      const n = rule.new_terms;
      const historyWindowMs = ms(n.history, ['new_terms', 'history']);
      if (historyWindowMs <= lookbackMs)
        ctx.problem(
          ['new_terms', 'history'],
          'must be longer than schedule.lookback, or nothing has a history',
        );
      n.entity.forEach((f, i) => useField(ctx, f, ['new_terms', 'entity', i]));
      n.fields.forEach((f, i) => {
        useField(ctx, f, ['new_terms', 'fields', i]);
        if (n.entity.includes(f)) ctx.problem(['new_terms', 'fields', i], 'is also an entity field');
      });
      compiled = {
        ...base,
        type: 'new_terms',
        groupBy: n.entity,
        query: where(),
        newTermsFields: n.fields,
        historyWindowMs,
      };
      break;
    }
  }
  const result: RuleCompilation = { loaded, errors, fields: ctx.fields };
  if (compiled && errors.length === 0) result.rule = withHash(compiled);
  return result;
}

/** sha256 of the stable JSON of the compiled rule: the deployer's change detector. */
export function withHash(rule: UnhashedRule): CompiledRule {
  const hash = createHash('sha256').update(stringify(rule)).digest('hex');
  return { ...rule, hash } as CompiledRule;
}

const TYPE_BLOCKS = {
  query: { needs: ['where'], allowsGroupBy: true },
  threshold: { needs: ['where', 'threshold'], allowsGroupBy: false },
  sequence: { needs: ['sequence'], allowsGroupBy: true },
  new_terms: { needs: ['where', 'new_terms'], allowsGroupBy: false },
} as const;

/** Each type has exactly its own blocks, so a stray `threshold:` on a query rule is not silently ignored. */
function checkTypeBlocks(rule: RuleFile, ctx: ConditionContext): void {
  const spec = TYPE_BLOCKS[rule.type];
  for (const block of ['where', 'threshold', 'sequence', 'new_terms'] as const) {
    const needed = (spec.needs as readonly string[]).includes(block);
    if (needed && rule[block] === undefined)
      ctx.problem(['type'], `a ${rule.type} rule needs a ${block}: block`);
    if (!needed && rule[block] !== undefined) ctx.problem([block], `does not belong in a ${rule.type} rule`);
  }
  if (!spec.allowsGroupBy && rule.suppression.group_by)
    ctx.problem(
      ['suppression', 'group_by'],
      `a ${rule.type} rule groups by its ${rule.type === 'threshold' ? 'threshold.group_by' : 'new_terms.entity'}`,
    );
}

/** Approved provisioners are exempt unless the rule opts out (an empty list exempts nobody). */
function exemptionFor(rule: RuleFile, config: FiredrillConfig, ctx: ConditionContext): (q: Dsl) => Dsl {
  const approved = config.parameters.approved_provisioners;
  if (!rule.exempt_approved_provisioners || approved.length === 0) return (q) => q;
  ctx.params.add('approved_provisioners');
  useField(ctx, ACTOR_IDS, ['exempt_approved_provisioners']);
  return (q) => ({ bool: { filter: [q], must_not: [{ terms: { [ACTOR_IDS]: approved } }] } });
}
