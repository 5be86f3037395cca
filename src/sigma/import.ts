import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AttackTable } from '../content/attack.js';
import type { RuleFile } from '../content/rules.js';
import { isDuration, parseDuration } from '../time/index.js';
import { canonical, compileDetection, isMap, type Condition } from './detection.js';
import { indexPattern, indexedField, sourceOfLogsource, sigmaSources, type SigmaSource } from './fields.js';
import { readSigmaFile, sigmaFiles, type SigmaDocument } from './read.js';
import { Refusal, type RefusedRule } from './refusal.js';

/** A firedrill rule file made from a Sigma rule (the YAML a pack holds, before defaults are filled in). */
export type ImportedRule = Omit<
  RuleFile,
  | 'references'
  | 'false_positives'
  | 'tags'
  | 'max_alerts'
  | 'suppression'
  | 'enabled'
  | 'exempt_approved_provisioners'
> &
  Partial<RuleFile>;

export interface ImportResult {
  rules: { rule: ImportedRule; file: string; line?: number }[];
  refused: RefusedRule[];
}

export interface ImportOptions {
  attack: AttackTable;
  /** Extra field-table rows by source id (config `sigma.fields`). */
  fields?: Record<string, Record<string, string>>;
}

export const LEVELS: Record<string, [RuleFile['severity'], number]> = {
  informational: ['low', 0],
  low: ['low', 21],
  medium: ['medium', 47],
  high: ['high', 73],
  critical: ['critical', 99],
};
const QUERY_SCHEDULE = { interval: '5m', lookback: '10m' };
export const SIGMA_ID_TAG = 'sigma-id:';
export const SIGMA_NAME_TAG = 'sigma-name:';

interface Base {
  doc: SigmaDocument;
  title: string;
  source: SigmaSource;
  where: Condition;
  generate: boolean;
  referenced: boolean;
}

/** Reads Sigma files or folders and converts every rule exactly, or names why it cannot. */
export function importSigma(inputs: string[], options: ImportOptions): ImportResult {
  const sources = sigmaSources(options.fields);
  const docs: SigmaDocument[] = [];
  const refused: RefusedRule[] = [];
  for (const file of sigmaFiles(inputs)) {
    try {
      docs.push(...readSigmaFile(file));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      refused.push({ file, construct: 'yaml', reason: text.replace(`${file}: `, '') });
    }
  }
  const refuse = (doc: SigmaDocument, error: unknown) => {
    if (!(error instanceof Refusal)) throw error;
    refused.push({
      file: doc.file,
      line: doc.lineOf(error.path),
      rule: typeof doc.value.title === 'string' ? doc.value.title : undefined,
      construct: error.construct,
      reason: error.reason,
    });
  };

  // Base rules first: correlations refer to them by name or id.
  const bases = new Map<string, Base>();
  const failedRefs = new Set<string>();
  const correlations: SigmaDocument[] = [];
  for (const doc of docs) {
    if (doc.value.correlation !== undefined) {
      correlations.push(doc);
      continue;
    }
    try {
      const title = text(doc.value.title, 'title');
      const source = sourceOfLogsource(sources, doc.value.logsource);
      const where = compileDetection(doc.value.detection, source);
      const base: Base = { doc, title, source, where, generate: false, referenced: false };
      for (const key of [doc.value.name, doc.value.id]) if (typeof key === 'string') bases.set(key, base);
      if (typeof doc.value.name !== 'string' && typeof doc.value.id !== 'string')
        bases.set(`#${docs.indexOf(doc)}`, base);
    } catch (error) {
      for (const key of [doc.value.name, doc.value.id]) if (typeof key === 'string') failedRefs.add(key);
      refuse(doc, error);
    }
  }

  const correlationKeys = new Set(
    correlations.flatMap((d) => [d.value.name, d.value.id].filter((k): k is string => typeof k === 'string')),
  );
  const rules: ImportResult['rules'] = [];
  const ids = new Set<string>();
  const add = (doc: SigmaDocument, rule: ImportedRule) => {
    if (ids.has(rule.id))
      throw new Refusal('title', `another imported rule already has the id ${rule.id}`, ['title']);
    ids.add(rule.id);
    rules.push({ rule, file: doc.file, line: doc.lineOf([]) });
  };

  for (const doc of correlations) {
    // The rules a correlation names do not alert on their own unless it says generate: true, even when the
    // correlation itself is refused (their alerts would be ones the author never asked for).
    const c = isMap(doc.value.correlation) ? doc.value.correlation : {};
    for (const ref of Array.isArray(c.rules) ? c.rules : [c.rules]) {
      const base = bases.get(String(ref));
      if (base) {
        base.referenced = true;
        base.generate ||= c.generate === true;
      }
    }
    try {
      const { rule, used, generate } = importCorrelation(
        doc,
        bases,
        failedRefs,
        correlationKeys,
        options.attack,
      );
      add(doc, rule);
      for (const b of used) {
        b.referenced = true;
        b.generate ||= generate;
      }
    } catch (error) {
      refuse(doc, error);
    }
  }
  for (const base of new Set(bases.values())) {
    if (base.referenced && !base.generate) continue;
    try {
      add(base.doc, {
        ...metadata(base.doc, base.title, options.attack, []),
        index: [indexPattern(base.source)],
        schedule: QUERY_SCHEDULE,
        type: 'query',
        where: base.where,
      });
    } catch (error) {
      refuse(base.doc, error);
    }
  }
  rules.sort((a, b) => a.rule.id.localeCompare(b.rule.id));
  return { rules, refused };
}

/** Writes each rule as `<dir>/<id>.yaml`. */
export function writeImported(result: ImportResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return result.rules.map(({ rule, file }) => {
    const path = join(dir, `${rule.id}.yaml`);
    writeFileSync(
      path,
      `# Imported from ${file} by firedrill sigma import; edit the Sigma rule, not this file.\n${stringify(rule, { lineWidth: 0 })}`,
    );
    return path;
  });
}

function importCorrelation(
  doc: SigmaDocument,
  bases: Map<string, Base>,
  failedRefs: Set<string>,
  correlationKeys: Set<string>,
  attack: AttackTable,
): { rule: ImportedRule; used: Base[]; generate: boolean } {
  const title = text(doc.value.title, 'title');
  const c = doc.value.correlation;
  const at = (...p: (string | number)[]) => ['correlation', ...p];
  if (!isMap(c)) throw new Refusal('correlation', 'must be a map', at());
  const known = ['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate'];
  const unknown = Object.keys(c).find((k) => !known.includes(k));
  if (unknown)
    throw new Refusal(`correlation.${unknown}`, 'not a Sigma correlation key firedrill knows', at(unknown));
  const type = c.type;
  if (!['event_count', 'value_count', 'temporal', 'temporal_ordered'].includes(String(type)))
    throw new Refusal(
      `correlation.type: ${String(type)}`,
      'not a Sigma correlation type firedrill supports',
      at('type'),
    );
  const refs = Array.isArray(c.rules) ? c.rules : typeof c.rules === 'string' ? [c.rules] : [];
  if (!refs.length) throw new Refusal('correlation.rules', 'names no rules', at('rules'));
  const used = refs.map((ref, i) => {
    const base = bases.get(String(ref));
    if (base) return base;
    if (failedRefs.has(String(ref)))
      throw new Refusal(
        `correlation.rules.${String(ref)}`,
        'that rule was refused (see its own line)',
        at('rules', i),
      );
    if (correlationKeys.has(String(ref)))
      throw new Refusal(
        `correlation.rules.${ref}`,
        'correlations of correlations are not supported',
        at('rules', i),
      );
    throw new Refusal(
      `correlation.rules.${String(ref)}`,
      'no rule with that name or id among the imported files',
      at('rules', i),
    );
  });
  if (new Set(used).size !== used.length)
    throw new Refusal('correlation.rules', 'names one rule twice', at('rules'));
  const timespan = c.timespan;
  if (typeof timespan !== 'string' || !/^\d+[smhd]$/.test(timespan) || !isDuration(timespan))
    throw new Refusal(
      'correlation.timespan',
      `'${String(timespan)}' is not a timespan firedrill reads (s, m, h or d)`,
      at('timespan'),
    );
  const generate = c.generate === undefined ? false : c.generate;
  if (typeof generate !== 'boolean')
    throw new Refusal('correlation.generate', 'must be true or false', at('generate'));

  // group-by: each name is a raw field of every rule, or an alias naming one field per rule.
  const groupBy =
    c['group-by'] === undefined ? [] : Array.isArray(c['group-by']) ? c['group-by'] : [c['group-by']];
  const aliases = c.aliases === undefined ? {} : c.aliases;
  if (!isMap(aliases)) throw new Refusal('correlation.aliases', 'must be a map', at('aliases'));
  const fieldsOf = (base: Base): string[] =>
    groupBy.map((g, i) => {
      const name = String(g);
      const alias = aliases[name];
      let raw = name;
      if (alias !== undefined) {
        if (!isMap(alias))
          throw new Refusal(
            `correlation.aliases.${name}`,
            'must map rule names to fields',
            at('aliases', name),
          );
        const key = Object.keys(alias).find((k) => bases.get(k) === base);
        if (!key)
          throw new Refusal(
            `correlation.aliases.${name}`,
            `gives no field for rule '${base.title}'`,
            at('aliases', name),
          );
        raw = String(alias[key]);
      }
      return indexedField(base.source, raw, 'value', at('group-by', i), `correlation.group-by.${name}`);
    });
  const perRule = used.map(fieldsOf);
  // No group-by: one group for all events. Every event firedrill indexes carries event.kind: event.
  const groups = perRule.map((f) => (f.length ? f : ['event.kind']));

  const sourcesUsed = [...new Set(used.map((b) => b.source))];
  const multi = sourcesUsed.length > 1;
  // Rules of several sources search all their indices; each rule's part is kept to its own source.
  const whereOf = (b: Base): Condition =>
    multi ? canonical({ all: [{ 'event.dataset': b.source.source.dataset }, b.where] }) : b.where;
  const index = sourcesUsed.map(indexPattern);
  const spanMs = parseDuration(timespan);
  const schedule = { interval: '5m', lookback: formatDuration(Math.max(spanMs + 300_000, 600_000)) };
  const inherited = used.flatMap((b) => attackTags(b.doc.value.tags));
  const meta = metadata(doc, title, attack, inherited);
  const condition = c.condition;

  if (type === 'temporal_ordered' || type === 'temporal') {
    if (condition !== undefined) {
      const n = isMap(condition) ? (condition.gte ?? condition.eq) : undefined;
      if (!isMap(condition) || Object.keys(condition).length !== 1 || n !== used.length)
        throw new Refusal(
          'correlation.condition',
          `${type} must see every rule (gte: the number of rules); fewer needs "any n of" sets the engine does not evaluate`,
          at('condition'),
        );
    }
    if (used.length < 2)
      throw new Refusal('correlation.rules', 'temporal_ordered needs at least two rules', at('rules'));
    return {
      used,
      generate,
      rule: {
        ...meta,
        index,
        schedule,
        type: 'sequence',
        sequence: {
          max_span: timespan,
          ...(type === 'temporal' ? { ordered: false } : {}),
          steps: used.map((b, i) => ({
            name: b.title,
            join: groups[i]!.length === 1 ? groups[i]![0]! : groups[i]!,
            where: whereOf(b),
          })),
        },
      },
    };
  }

  // event_count / value_count: a sliding-window threshold; the group is the same fields for every rule.
  const group = groups[0]!;
  if (groups.some((g) => g.join() !== group.join()))
    throw new Refusal(
      'correlation.aliases',
      'a threshold groups every event by the same fields; these rules map the group to different indexed fields',
      at('aliases'),
    );
  if (!isMap(condition)) throw new Refusal('correlation.condition', 'missing', at('condition'));
  const { field, ...ops } = condition;
  const opNames = Object.keys(ops);
  let distinct: string | undefined;
  if (type === 'value_count') {
    if (typeof field !== 'string')
      throw new Refusal(
        'correlation.condition.field',
        'value_count needs the field whose values it counts',
        at('condition'),
      );
    const fields = new Set(
      used.map((b) =>
        indexedField(b.source, field, 'value', at('condition', 'field'), 'correlation.condition.field'),
      ),
    );
    if (fields.size !== 1)
      throw new Refusal(
        'correlation.condition.field',
        'maps to different indexed fields in these rules',
        at('condition', 'field'),
      );
    distinct = [...fields][0];
  } else if (field !== undefined)
    throw new Refusal(
      'correlation.condition.field',
      'only value_count counts a field',
      at('condition', 'field'),
    );
  if (opNames.length !== 1)
    throw new Refusal(
      'correlation.condition',
      `${opNames.join(' + ') || 'no comparison'}: a threshold alerts when a count reaches a value (gte, gt); ranges and upper bounds need the window to close without more events, which the engine does not evaluate`,
      at('condition'),
    );
  const op = opNames[0]!;
  const n = ops[op];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw new Refusal(`correlation.condition.${op}`, 'must be a whole number', at('condition', op));
  if (!['gte', 'gt'].includes(op))
    throw new Refusal(
      `correlation.condition.${op}`,
      op === 'eq' || op === 'lt' || op === 'lte' || op === 'neq'
        ? `'${op}' needs to know a window ended with no further events (absence), which the engine does not evaluate`
        : 'not a Sigma condition operator',
      at('condition', op),
    );
  const value = op === 'gt' ? n + 1 : n;
  if (value < 1)
    throw new Refusal(
      `correlation.condition.${op}`,
      'always true: a threshold counts at least one event',
      at('condition', op),
    );
  const where = used.length === 1 ? whereOf(used[0]!) : canonical({ any: used.map(whereOf) });
  return {
    used,
    generate,
    rule: {
      ...meta,
      index,
      schedule,
      type: 'threshold',
      where,
      threshold: { group_by: group, value, window: timespan, ...(distinct ? { distinct } : {}) },
    },
  };
}

/** Title, description, ATT&CK, level, authors, references, false positives, Sigma id and name. */
function metadata(
  doc: SigmaDocument,
  title: string,
  attack: AttackTable,
  inheritedAttackTags: string[],
): Pick<
  ImportedRule,
  | 'id'
  | 'name'
  | 'description'
  | 'author'
  | 'references'
  | 'threat'
  | 'severity'
  | 'risk_score'
  | 'false_positives'
  | 'investigation'
  | 'tags'
  | 'exempt_approved_provisioners'
> {
  const v = doc.value;
  const name = typeof v.name === 'string' ? v.name : undefined;
  const id = slug(name ?? title);
  if (!id) throw new Refusal('title', 'gives no usable rule id', ['title']);
  const level = v.level === undefined ? 'medium' : String(v.level);
  const sev = LEVELS[level];
  if (!sev)
    throw new Refusal(`level: ${level}`, `not a Sigma level (${Object.keys(LEVELS).join(', ')})`, ['level']);
  const tags = Array.isArray(v.tags) ? v.tags.map(String) : [];
  const own = attackTags(tags);
  const threat = threatOf(own.length ? own : inheritedAttackTags, attack);
  const references = list(v.references, 'references');
  const bad = references.find((r) => !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(r));
  if (bad) throw new Refusal('references', `'${bad}' is not a URL`, ['references']);
  const authors =
    typeof v.author === 'string' ? v.author.split(/\s*,\s*/).filter(Boolean) : list(v.author, 'author');
  return {
    id,
    name: title,
    description: typeof v.description === 'string' && v.description.trim() ? v.description.trim() : title,
    author: authors.length ? authors : ['unknown (Sigma rule without author)'],
    references,
    threat,
    severity: sev[0],
    risk_score: sev[1],
    false_positives: list(v.falsepositives, 'falsepositives'),
    investigation: [`Review the events that matched the Sigma rule "${title}".`],
    tags: [
      ...tags.filter((t) => !t.startsWith('attack.')),
      ...(typeof v.id === 'string' ? [`${SIGMA_ID_TAG}${v.id}`] : []),
      ...(name ? [`${SIGMA_NAME_TAG}${name}`] : []),
    ],
    // Sigma rules know no deployment parameters: approved provisioners are not exempt.
    exempt_approved_provisioners: false,
  };
}

function attackTags(tags: unknown): string[] {
  return Array.isArray(tags) ? tags.map(String).filter((t) => t.startsWith('attack.')) : [];
}

/** `attack.t1136.003` + `attack.persistence` → threat entries, each technique under its named tactics. */
export function threatOf(tags: string[], attack: AttackTable): RuleFile['threat'] {
  const { tactics, techniques } = attack.data;
  const tacticByName = new Map(Object.entries(tactics).map(([id, name]) => [tacticSlug(name), id]));
  const named: string[] = [];
  const techs: string[] = [];
  for (const tag of tags) {
    const rest = tag.slice('attack.'.length);
    if (/^t\d{4}(\.\d{3})?$/i.test(rest)) techs.push(rest.toUpperCase());
    else if (/^ta\d{4}$/i.test(rest)) named.push(rest.toUpperCase());
    else if (/^[gs]\d{4}$/i.test(rest))
      continue; // groups and software: no place in a rule's threat
    else {
      const id = tacticByName.get(tacticSlug(rest));
      if (!id)
        throw new Refusal(`tags: ${tag}`, 'not a tactic of detections/attack/techniques.yaml', ['tags']);
      named.push(id);
    }
  }
  if (!techs.length)
    throw new Refusal(
      'tags',
      'no attack.tNNNN technique tag: every firedrill rule maps to an ATT&CK technique',
      ['tags'],
    );
  const threat: RuleFile['threat'] = [];
  for (const t of [...new Set(techs)]) {
    const technique = t.split('.')[0]!;
    if (!techniques[t])
      throw new Refusal(
        `tags: attack.${t.toLowerCase()}`,
        `${t} is not in detections/attack/techniques.yaml; add it there first`,
        ['tags'],
      );
    const own = techniques[technique]?.tactics ?? [];
    const chosen = named.length ? own.filter((x) => named.includes(x)) : own;
    if (!chosen.length)
      throw new Refusal(
        `tags: attack.${t.toLowerCase()}`,
        `none of the named tactics is a tactic of ${technique}`,
        ['tags'],
      );
    for (const tactic of chosen)
      threat.push({ tactic, technique, ...(t.includes('.') ? { subtechnique: t } : {}) });
  }
  return threat;
}

export function tacticSlug(name: string): string {
  return name.toLowerCase().replace(/[\s_]+/g, '-');
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}

function text(value: unknown, key: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new Refusal(key, 'missing', [key]);
  return value.trim();
}

function list(value: unknown, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new Refusal(key, 'must be a list of strings', [key]);
}

export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${u}`;
    rest -= n * size;
  }
  return out || '0s';
}
