/**
 * What firedrill knows about one log source: everything else (the router pipeline, replay's time shifting,
 * de-duplication, `--source`, the health check, index names) asks the registry instead of repeating it.
 */
export interface LogSource {
  /** The id written on every event as `firedrill.source`; also its pipeline's folder and name. */
  id: string;
  /** For people: `AWS CloudTrail`. */
  title: string;
  /** Elastic's dataset name: events land in `logs-<dataset>-default`, as Elastic's integrations put them. */
  dataset: string;
  /** Dotted paths of the raw record's time fields; the first is the event time, the rest move with it. */
  timeFields: string[];
  /** Dotted paths of the log's own event id, first present wins: the document id, so redelivery is a no-op. */
  eventIdFields: string[];
  /** How a raw record is told apart from the other sources' (router pipeline and replay alike). */
  recognise: Recogniser;
  /** How Sigma rules name this source and its fields (docs/sigma.md); absent: Sigma cannot target it. */
  sigma?: SigmaLogsource;
}

/** A Sigma `logsource` and the field table that turns its raw provider field names into indexed fields. */
export interface SigmaLogsource {
  product: string;
  service: string;
  /** Raw provider field name (as Sigma rules write it) → the indexed field it is searched as. */
  fields: Record<string, SigmaField>;
}

/**
 * One row of a Sigma field table: the indexed field; `ip`, an `ip`-typed field for `cidr` tests; `derived`,
 * why the indexed field is filled from more than the raw one (null and exists tests are then refused);
 * `refused`, why the raw field cannot be searched at all (stored, not indexed).
 */
export type SigmaField = string | { field?: string; ip?: string; derived?: string; refused?: string };

/** A test on a raw record, compiled both to Painless (the router) and to JavaScript (replay). */
export type Recogniser =
  | { all: Recogniser[] }
  | { any: Recogniser[] }
  /** The field holds a value. */
  | { present: string }
  /** The field holds an object. */
  | { object: string }
  /** The field holds exactly this string. */
  | { equals: [field: string, value: string] };

/** Reads a dotted path from a parsed record; undefined when any step is missing. */
export function fieldAt(record: unknown, path: string): unknown {
  let node: unknown = record;
  for (const key of path.split('.')) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Whether a parsed record passes a recogniser. */
export function matches(recogniser: Recogniser, record: unknown): boolean {
  if ('all' in recogniser) return recogniser.all.every((r) => matches(r, record));
  if ('any' in recogniser) return recogniser.any.some((r) => matches(r, record));
  if ('present' in recogniser) return fieldAt(record, recogniser.present) != null;
  if ('object' in recogniser) {
    const value = fieldAt(record, recogniser.object);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
  return fieldAt(record, recogniser.equals[0]) === recogniser.equals[1];
}

/**
 * The recogniser as a Painless condition over `ctx.<root>`; each step of a nested path is checked to be a
 * map first, so a record of another shape is not recognised instead of failing the script.
 */
export function painlessCondition(recogniser: Recogniser, root = 'json'): string {
  if ('all' in recogniser) return recogniser.all.map((r) => group(painlessCondition(r, root))).join(' && ');
  if ('any' in recogniser) return recogniser.any.map((r) => group(painlessCondition(r, root))).join(' || ');
  const [path, test] =
    'present' in recogniser
      ? [recogniser.present, ' != null']
      : 'object' in recogniser
        ? [recogniser.object, ' instanceof Map']
        : [recogniser.equals[0], ` == ${painlessString(recogniser.equals[1])}`];
  const steps = path.split('.').map((_, i, all) => `ctx.${root}.${all.slice(0, i + 1).join('.')}`);
  const parents = steps.slice(0, -1).map((step) => `${step} instanceof Map`);
  return [...parents, `${steps[steps.length - 1]}${test}`].join(' && ');
}

function group(condition: string): string {
  return condition.includes(' && ') || condition.includes(' || ') ? `(${condition})` : condition;
}

function painlessString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
