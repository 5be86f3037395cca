import type { CompiledRule } from '../compile/types.js';
import { firstString, type EventHit } from './fields.js';

/** One occurrence a rule found, before it becomes an alert. */
export interface Candidate {
  rule: CompiledRule;
  /** The values that make this alert distinct (group-by fields, join value, new terms). */
  group: Record<string, string>;
  /** The time that identifies the occurrence: first match, threshold crossing, first step, first seen. */
  anchor: number;
  /** Evidence, oldest first. */
  events: EventHit[];
  /** Sequence steps in order. */
  steps?: { name: string; event: EventHit }[];
  /**
   * The replay run it belongs to: the engine's marker, or else the one marker all its events carry (a live
   * engine alerting on replayed events tags the alert with their run).
   */
  marker?: string;
}

/** The group of an event by `fields`; undefined when any field is missing. */
export function groupOf(event: EventHit, fields: string[]): Record<string, string> | undefined {
  const group: Record<string, string> = {};
  for (const field of fields) {
    const value = firstString(event.source, field);
    if (value === undefined) return undefined;
    group[field] = value;
  }
  return group;
}

/** A stable, readable rendering of a group: `field=value, …` in field order. */
export function groupKey(group: Record<string, string>): string {
  return Object.entries(group)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, value]) => `${field}=${value}`)
    .join(', ');
}
