/** An event as the engine reads it from a search hit. */
export interface EventHit {
  index: string;
  id: string;
  source: Record<string, unknown>;
  /** `@timestamp` in epoch ms. */
  time: number;
  /** `event.ingested` in epoch ms, when the event has it. */
  ingested?: number;
}

/**
 * Every value of a dotted field in a document, whether stored nested (`{user:{name}}`),
 * flat (`{"user.name": …}`) or mixed, with arrays flattened.
 */
export function fieldValues(doc: unknown, path: string): unknown[] {
  if (doc === null || doc === undefined) return [];
  if (Array.isArray(doc)) return doc.flatMap((item) => fieldValues(item, path));
  if (path === '') return [doc];
  if (typeof doc !== 'object') return [];
  const record = doc as Record<string, unknown>;
  const out: unknown[] = [];
  const parts = path.split('.');
  for (let i = 1; i <= parts.length; i++) {
    const key = parts.slice(0, i).join('.');
    if (key in record) out.push(...fieldValues(record[key], parts.slice(i).join('.')));
  }
  return out;
}

/** The first value of a field as a string, for join keys and group keys. */
export function firstString(doc: unknown, path: string): string | undefined {
  const value = fieldValues(doc, path)[0];
  return value === undefined || value === null ? undefined : String(value);
}

/** Distinct scalar values of a field across documents, in first-seen order. */
export function distinctValues(docs: unknown[], path: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const doc of docs)
    for (const value of fieldValues(doc, path))
      if (value !== null && typeof value !== 'object' && !seen.has(String(value)))
        seen.set(String(value), value);
  return [...seen.values()];
}

/** ECS style: one value stays scalar, several become an array, none is omitted. */
export function oneOrMany<T>(values: T[]): T | T[] | undefined {
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}
