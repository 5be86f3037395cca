import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { stringify } from 'yaml';
import { readRules, type LoadedRule, type RuleFile } from '../content/rules.js';
import { readAttackTable } from '../content/attack.js';
import { isMap, type Condition } from './detection.js';
import { rawField, sigmaSources, sourceOfIndex, type SigmaSource } from './fields.js';
import { SIGMA_ID_TAG, SIGMA_NAME_TAG, tacticSlug } from './import.js';
import { Refusal, type RefusedRule } from './refusal.js';

export interface ExportResult {
  files: { id: string; docs: Record<string, unknown>[] }[];
  refused: RefusedRule[];
}

/** Firedrill rules (ids or globs; none: all) as Sigma rules and correlations, or why each cannot be. */
export function exportSigma(
  detections: string,
  patterns: string[],
  options: { fields?: Record<string, Record<string, string>> } = {},
): ExportResult {
  const sources = sigmaSources(options.fields);
  const attack = readAttackTable(detections);
  const match = patterns.length ? picomatch(patterns) : () => true;
  const result: ExportResult = { files: [], refused: [] };
  for (const loaded of readRules(detections).filter((r) => match(r.rule.id))) {
    // Every part that cannot be carried is named (the detection stops at its first problem).
    const problems: Refusal[] = [];
    let docs: Record<string, unknown>[] | undefined;
    try {
      docs = exportRule(loaded.rule, sources, attack.data.tactics, problems);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      problems.push(error);
    }
    if (docs && !problems.length) result.files.push({ id: loaded.rule.id, docs });
    for (const problem of problems)
      result.refused.push({
        file: loaded.source.file,
        line: loaded.source.lineOf(problem.path),
        rule: loaded.rule.id,
        construct: problem.construct,
        reason: problem.reason,
      });
  }
  return result;
}

export function writeExported(result: ExportResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return result.files.map(({ id, docs }) => {
    const path = join(dir, `${id}.yml`);
    writeFileSync(
      path,
      `# Exported from firedrill rule ${id} by firedrill sigma export.\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`,
    );
    return path;
  });
}

function exportRule(
  rule: RuleFile,
  sources: SigmaSource[],
  tactics: Record<string, string>,
  problems: Refusal[],
): Record<string, unknown>[] {
  if (rule.exempt_approved_provisioners)
    problems.push(
      new Refusal(
        'exempt_approved_provisioners',
        'the exemption of approved_provisioners is a deployment parameter Sigma cannot carry (set it to false to export)',
        ['exempt_approved_provisioners'],
      ),
    );
  const source = sourceOfIndex(sources, rule.index);
  if (!source)
    throw new Refusal(
      'index',
      `${rule.index.join(', ')} is not exactly one log source's index pattern (one Sigma logsource per rule)`,
      ['index'],
    );
  const logsource = { product: source.product, service: source.service };
  const meta = metadata(rule, tactics);
  const key = (meta.name as string | undefined) ?? rule.id;
  switch (rule.type) {
    case 'query':
      return [
        { ...meta, logsource, detection: detection(rule.where!, source, ['where']), level: meta.level },
      ];
    case 'threshold': {
      const t = rule.threshold!;
      const base = `${key}__events`;
      const groupBy = groupOf(t.group_by, source, ['threshold', 'group_by']);
      const condition: Record<string, unknown> = { gte: t.value };
      if (t.distinct) condition.field = raw(source, t.distinct, ['threshold', 'distinct']);
      return [
        {
          title: `${rule.name} (events)`,
          name: base,
          logsource,
          detection: detection(rule.where!, source, ['where']),
        },
        {
          ...meta,
          correlation: {
            type: t.distinct ? 'value_count' : 'event_count',
            rules: [base],
            ...(groupBy.length ? { 'group-by': groupBy } : {}),
            timespan: t.window,
            condition: t.distinct ? { field: condition.field, gte: t.value } : condition,
          },
        },
      ];
    }
    case 'sequence': {
      const s = rule.sequence!;
      const joins = s.steps.map((step) => (Array.isArray(step.join) ? step.join : [step.join]));
      if (joins.some((j) => j.join() !== joins[0]!.join()))
        throw new Refusal('sequence.steps.join', 'steps join on different fields; not exported yet', [
          'sequence',
          'steps',
        ]);
      const groupBy = groupOf(joins[0]!, source, ['sequence', 'steps', 0, 'join']);
      const names = s.steps.map((_, i) => `${key}__step${i + 1}`);
      return [
        ...s.steps.map((step, i) => ({
          title: step.name,
          name: names[i],
          logsource,
          detection: detection(step.where, source, ['sequence', 'steps', i, 'where']),
        })),
        {
          ...meta,
          correlation: {
            type: s.ordered === false ? 'temporal' : 'temporal_ordered',
            rules: names,
            ...(groupBy.length ? { 'group-by': groupBy } : {}),
            timespan: s.max_span,
          },
        },
      ];
    }
    default:
      throw new Refusal(`type: ${rule.type}`, 'Sigma has no new-terms (local baseline) rule', ['type']);
  }
}

function groupOf(fields: string[], source: SigmaSource, path: (string | number)[]): string[] {
  if (fields.length === 1 && fields[0] === 'event.kind') return [];
  return fields.map((f) => raw(source, f, path));
}

function raw(source: SigmaSource, field: string, path: (string | number)[], ip = false): string {
  const name = rawField(source, field, ip);
  if (!name)
    throw new Refusal(
      field,
      `no raw ${source.product}/${source.service} field is searched as ${field} (firedrill's own or derived field)`,
      path,
    );
  return name;
}

function metadata(rule: RuleFile, tactics: Record<string, string>): Record<string, unknown> {
  const level = rule.severity === 'low' && rule.risk_score === 0 ? 'informational' : rule.severity;
  const attackTags = new Set<string>();
  for (const t of rule.threat) attackTags.add(`attack.${tacticSlug(tactics[t.tactic] ?? t.tactic)}`);
  for (const t of rule.threat) attackTags.add(`attack.${(t.subtechnique ?? t.technique).toLowerCase()}`);
  const sigmaId = rule.tags.find((t) => t.startsWith(SIGMA_ID_TAG))?.slice(SIGMA_ID_TAG.length);
  const sigmaName = rule.tags.find((t) => t.startsWith(SIGMA_NAME_TAG))?.slice(SIGMA_NAME_TAG.length);
  const tags = [
    ...attackTags,
    ...rule.tags.filter((t) => !t.startsWith(SIGMA_ID_TAG) && !t.startsWith(SIGMA_NAME_TAG)),
  ];
  return {
    title: rule.name,
    ...(sigmaId ? { id: sigmaId } : {}),
    ...(sigmaName ? { name: sigmaName } : {}),
    description: rule.description,
    author: rule.author.join(', '),
    ...(rule.references.length ? { references: rule.references } : {}),
    tags,
    ...(rule.false_positives.length ? { falsepositives: rule.false_positives } : {}),
    level,
  };
}

type Path = (string | number)[];

/** A condition as Sigma selections and a condition expression. */
function detection(where: Condition, source: SigmaSource, path: Path): Record<string, unknown> {
  const selections: Record<string, unknown> = {};
  let n = 0;
  const add = (value: unknown) => {
    const name = `sel${++n}`;
    selections[name] = value;
    return name;
  };
  const expr = (c: Condition, p: Path): string => {
    const tests = fieldTests(c, p);
    if (tests) return conjunction(tests, p);
    if (Array.isArray(c.any)) {
      const maps = (c.any as Condition[]).map((x, i) => {
        const t = fieldTests(x, [...p, 'any', i]);
        return t ? selectionMap(t, [...p, 'any', i]) : undefined;
      });
      if (maps.every((m) => m !== undefined)) return add(maps);
      return (c.any as Condition[]).map((x, i) => wrap(x, expr(x, [...p, 'any', i]))).join(' or ');
    }
    if (Array.isArray(c.all)) {
      // Runs of field tests become selections (a new one where a key would repeat); the rest are expressions.
      const parts: string[] = [];
      let run: [string, unknown, Path][] = [];
      const flush = () => {
        if (run.length) parts.push(conjunction(run, p));
        run = [];
      };
      (c.all as Condition[]).forEach((x, i) => {
        const t = fieldTests(x, [...p, 'all', i]);
        if (t) run.push(...t);
        else {
          flush();
          parts.push(wrap(x, expr(x, [...p, 'all', i])));
        }
      });
      flush();
      return parts.join(' and ');
    }
    if (c.not !== undefined)
      return `not ${wrap(c.not as Condition, expr(c.not as Condition, [...p, 'not']))}`;
    if (c.in_window !== undefined)
      throw new Refusal('in_window', 'a change window is a deployment parameter Sigma cannot carry', [
        ...p,
        'in_window',
      ]);
    throw new Refusal('where', 'not a condition', p);
  };
  /** Field tests in order, split into selections wherever a key would repeat. */
  const conjunction = (tests: [string, unknown, Path][], p: Path): string => {
    const names: string[] = [];
    let current: Record<string, unknown> = {};
    for (const [field, test, at] of tests) {
      const [k, v] = sigmaEntry(field, test, source, at.length ? at : [...p, field]);
      if (k in current) {
        names.push(add(current));
        current = {};
      }
      current[k] = v;
    }
    names.push(add(current));
    return names.join(' and ');
  };
  const selectionMap = (tests: [string, unknown, Path][], p: Path): Record<string, unknown> | undefined => {
    const map: Record<string, unknown> = {};
    for (const [field, test, at] of tests) {
      const [k, v] = sigmaEntry(field, test, source, at.length ? at : [...p, field]);
      if (k in map) return undefined;
      map[k] = v;
    }
    return map;
  };
  const condition = expr(where, path);
  return { ...selections, condition };
}

function wrap(c: Condition, text: string): string {
  return / (and|or) /.test(text) && !(fieldTests(c) && !text.includes(' and ')) ? `(${text})` : text;
}

/** A map of field tests, or `all` of such maps: the tests in order; otherwise undefined. */
function fieldTests(c: Condition, path: Path = []): [string, unknown, Path][] | undefined {
  const keys = Object.keys(c);
  if (keys.some((k) => ['all', 'any', 'not', 'in_window'].includes(k))) {
    if (keys.length === 1 && Array.isArray(c.all)) {
      const out: [string, unknown, Path][] = [];
      for (const [i, x] of (c.all as Condition[]).entries()) {
        const t = fieldTests(x, [...path, 'all', i]);
        if (!t) return undefined;
        out.push(...t);
      }
      return out;
    }
    return undefined;
  }
  return keys.map((k) => [k, c[k], [...path, k]]);
}

/** One firedrill field test as a Sigma `field|modifiers: value`. */
function sigmaEntry(field: string, test: unknown, source: SigmaSource, path: Path): [string, unknown] {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (scalar(test) || Array.isArray(test)) return valueEntry(field, test, false, source, path);
  if (!isMap(test)) throw new Refusal(field, 'not a field test', path);
  const ci = test.case_insensitive === true;
  const ops = Object.keys(test).filter((k) => k !== 'case_insensitive');
  const op = ops[0]!;
  const v = test[op];
  const cased = ci ? '' : '|cased';
  if (ops.every((o) => ['gte', 'gt', 'lte', 'lt'].includes(o))) {
    if (ops.length !== 1)
      throw new Refusal(`${field}.range`, 'a range with two bounds is two Sigma tests; not exported', path);
    return [`${raw(source, field, path)}|${op}`, v];
  }
  switch (op) {
    case 'equals':
      return valueEntry(field, v, ci, source, path);
    case 'in':
      return valueEntry(field, v, ci, source, path);
    case 'exists':
      return v ? [`${raw(source, field, path)}|exists`, true] : [raw(source, field, path), null];
    case 'prefix':
      return [`${raw(source, field, path)}|startswith${cased}`, escapeSigma(String(v))];
    case 'wildcard': {
      const sigma = wildcardToSigma(String(v));
      const inner = sigma.slice(1, -1);
      const plainInner = !/(^|[^\\])[*?]/.test(inner) && !inner.endsWith('\\');
      if (
        sigma.length > 2 &&
        sigma.startsWith('*') &&
        sigma.endsWith('*') &&
        !sigma.endsWith('\\*') &&
        plainInner
      )
        return [`${raw(source, field, path)}|contains${cased}`, inner];
      const tail = sigma.slice(1);
      if (sigma.startsWith('*') && tail && !/(^|[^\\])[*?]/.test(tail) && !tail.endsWith('\\'))
        return [`${raw(source, field, path)}|endswith${cased}`, tail];
      return [`${raw(source, field, path)}${cased}`, sigma];
    }
    case 'regexp':
      return [
        `${raw(source, field, path)}|re${regexpToSigma(String(v), field, path).join('')}${ci ? '|i' : ''}`,
        pcreOf(String(v), field, path),
      ];
    case 'cidr':
      return [`${raw(source, field, path, true)}|cidr`, v];
    case 'in_param':
      throw new Refusal(`${field}.in_param`, 'a deployment parameter Sigma cannot carry', path);
    default:
      throw new Refusal(`${field}.${op}`, 'no Sigma equivalent', path);
  }
}

function valueEntry(
  field: string,
  v: unknown,
  ci: boolean,
  source: SigmaSource,
  path: Path,
): [string, unknown] {
  const values = Array.isArray(v) ? v : [v];
  const strings = values.every((x) => typeof x === 'string');
  if (!strings && values.some((x) => typeof x === 'string'))
    throw new Refusal(field, 'a list mixing strings and other values', path);
  const key = raw(source, field, path) + (strings && !ci ? '|cased' : '');
  const out = strings ? values.map((x) => escapeSigma(x as string)) : values;
  return [key, Array.isArray(v) ? out : out[0]];
}

function escapeSigma(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/** A Lucene wildcard pattern (`\` escapes) as a Sigma string (`*`, `?`, `\*`, `\?`, `\\`). */
function wildcardToSigma(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) out += escapeSigma(pattern[++i]!);
    else out += c === '*' || c === '?' ? c : escapeSigma(c);
  }
  return out;
}

const NEWLINE_FREE = '[^\n]';

/** The Sigma sub-modifier a Lucene regexp needs: `|s` when it has a bare `.` (any character, newlines too). */
function regexpToSigma(regexp: string, field: string, path: Path): string[] {
  const body = unwrap(regexp);
  const bareDot = hasBareDot(body.replaceAll(NEWLINE_FREE, ''));
  if (bareDot && body.includes(NEWLINE_FREE))
    throw new Refusal(`${field}.regexp`, "mixes '.' and '[^\\n]' (no single Sigma dot mode)", path);
  return bareDot ? ['|s'] : [];
}

function pcreOf(regexp: string, field: string, path: Path): string {
  void field;
  void path;
  const body = unwrap(regexp);
  const start = regexp.startsWith('.*') ? '' : '^';
  const end = regexp.endsWith('.*') && !regexp.endsWith('\\.*') ? '' : '$';
  return `${start}${body.replaceAll(NEWLINE_FREE, '.')}${end}`;
}

function unwrap(regexp: string): string {
  let body = regexp;
  if (body.startsWith('.*')) body = body.slice(2);
  if (body.endsWith('.*') && !body.endsWith('\\.*')) body = body.slice(0, -2);
  return body;
}

function hasBareDot(body: string): boolean {
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '.' && !inClass) return true;
  }
  return false;
}

export type { LoadedRule };
