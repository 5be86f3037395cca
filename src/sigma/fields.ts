import { SOURCES, type LogSource, type SigmaField } from '../sources/index.js';
import { Refusal } from './refusal.js';

/** A log source Sigma rules can target, with its field table (the registry's, plus the config's rows). */
export interface SigmaSource {
  source: LogSource;
  product: string;
  service: string;
  /** Raw provider field name → row. */
  fields: Map<string, Exclude<SigmaField, string>>;
}

/** The Sigma-targetable sources, each table extended by `sigma.fields.<source id>` of the config. */
export function sigmaSources(extra: Record<string, Record<string, string>> = {}): SigmaSource[] {
  for (const id of Object.keys(extra))
    if (!SOURCES.some((s) => s.id === id && s.sigma))
      throw new Error(
        `sigma.fields.${id}: not a log source with a Sigma table (one of: ${SOURCES.filter((s) => s.sigma)
          .map((s) => s.id)
          .join(', ')})`,
      );
  return SOURCES.flatMap((source) => {
    if (!source.sigma) return [];
    const fields = new Map<string, Exclude<SigmaField, string>>();
    for (const [raw, row] of Object.entries(source.sigma.fields))
      fields.set(raw, typeof row === 'string' ? { field: row } : row);
    for (const [raw, field] of Object.entries(extra[source.id] ?? {})) fields.set(raw, { field });
    return [{ source, product: source.sigma.product, service: source.sigma.service, fields }];
  });
}

/** The source a Sigma `logsource` names; refused unless it is exactly one known product + service. */
export function sourceOfLogsource(sources: SigmaSource[], logsource: unknown): SigmaSource {
  if (!logsource || typeof logsource !== 'object' || Array.isArray(logsource))
    throw new Refusal('logsource', 'missing: a rule needs product and service', ['logsource']);
  const { product, service, category, ...rest } = logsource as Record<string, unknown>;
  const known = sources.map((s) => `${s.product}/${s.service}`).join(', ');
  if (category !== undefined)
    throw new Refusal(
      'logsource.category',
      `categories are not mapped; name product and service (${known})`,
      ['logsource', 'category'],
    );
  const extra = Object.keys(rest).filter((k) => k !== 'definition');
  if (extra.length)
    throw new Refusal(`logsource.${extra[0]}`, 'unknown logsource key', ['logsource', extra[0]!]);
  const found = sources.find((s) => s.product === product && s.service === service);
  if (!found)
    throw new Refusal(
      'logsource',
      `${String(product)}/${String(service)} is not a log source firedrill ingests (${known})`,
      ['logsource'],
    );
  return found;
}

/** What one raw field name is searched as, for a kind of test; refused with the reason when it cannot be. */
export function indexedField(
  source: SigmaSource,
  raw: string,
  use: 'value' | 'ip' | 'presence',
  path: (string | number)[],
  construct: string,
): string {
  const row = source.fields.get(raw);
  if (!row)
    throw new Refusal(
      construct,
      `field '${raw}' is not in the ${source.product}/${source.service} field table (docs/sigma.md; extend it with sigma.fields.${source.source.id} in the config)`,
      path,
    );
  if (row.refused) throw new Refusal(construct, `field '${raw}' cannot be searched: ${row.refused}`, path);
  if (use === 'ip') {
    if (!row.ip) throw new Refusal(construct, `field '${raw}' has no ip-typed field to test ranges on`, path);
    return row.ip;
  }
  if (use === 'presence' && row.derived)
    throw new Refusal(construct, `null / exists on '${raw}' cannot be exact: ${row.derived}`, path);
  return row.field!;
}

/** The raw field name an indexed field is written as in Sigma (the first row naming it), if any. */
export function rawField(source: SigmaSource, indexed: string, ip = false): string | undefined {
  for (const [raw, row] of source.fields)
    if ((ip ? row.ip : row.field) === indexed && !row.refused) return raw;
  return undefined;
}

/** The source whose events a rule's index patterns cover exactly (`logs-<dataset>-*`), if one. */
export function sourceOfIndex(sources: SigmaSource[], index: string[]): SigmaSource | undefined {
  if (index.length !== 1) return undefined;
  return sources.find((s) => indexPattern(s) === index[0]);
}

export function indexPattern(source: SigmaSource): string {
  return `logs-${source.source.dataset}-*`;
}
