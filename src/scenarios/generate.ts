import { createHash } from 'node:crypto';
import { ContentError } from '../errors.js';
import type { Scenario, TemplateLibrary } from '../content/scenarios.js';
import { parseDuration, parseOffset } from '../time/index.js';

/** One cloud log record a scenario produced, with the time it was generated for. */
export interface GeneratedRecord {
  /** Its log source id (src/sources/). */
  source: string;
  template: string;
  /** Epoch ms of the event before any replay shift. */
  time: number;
  record: Record<string, unknown>;
}

type Scope = Record<string, unknown>;

const PLACEHOLDER = /\$\{([^}]+)\}/g;
const WHOLE = /^\$\{([^}]+)\}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Turns a scenario's template events into real-schema cloud log records. Pure and deterministic:
 * the same scenario (seed included) always yields byte-identical records.
 */
export function generateRecords(scenario: Scenario, templates: TemplateLibrary): GeneratedRecord[] {
  const start = Date.parse(scenario.start);
  const out: GeneratedRecord[] = [];
  scenario.events.forEach((event, index) => {
    const template = templates.events.get(event.template);
    if (!template)
      throw new ContentError(
        scenario.file,
        `unknown template '${event.template}'`,
        scenario.lines?.events[index],
        `events.${index}.template`,
      );
    const identity = scenario.identities[event.actor];
    const identityTemplate = identity && templates.identities.get(identity.template);
    if (!identity || !identityTemplate)
      throw new ContentError(
        scenario.file,
        `unknown identity template '${identity?.template ?? event.actor}'`,
        scenario.lines?.identities[event.actor],
        `identities.${event.actor}.template`,
      );
    const every = event.every ? parseDuration(event.every) : 1000;
    for (let n = 0; n < (event.repeat ?? 1); n++) {
      const time = start + parseOffset(event.at) + n * every;
      const ids = new IdSource(scenario.seed, `${index}/${n}`);
      const builtins = {
        ...timeBuiltins(time, n),
        correlation: uuidOf(ids.named('correlation', `${index}/${n}`)),
      };
      const { template: _t, ...identityParams } = identity;
      const actorParams: Scope = { ...identityTemplate.defaults, ...identityParams };
      const actorScope: Scope = { ...builtins, ...actorParams };
      let actor: Scope;
      try {
        actor = { ...actorParams, ...(render(identityTemplate.fields, actorScope, ids) as Scope) };
      } catch (error) {
        throw new ContentError(
          scenario.file,
          `${identity.template}: ${(error as Error).message}`,
          scenario.lines?.identities[event.actor],
          `identities.${event.actor}`,
        );
      }
      const scope: Scope = { ...builtins, ...template.defaults, ...(event.with ?? {}), actor };
      let record: Record<string, unknown>;
      try {
        record = render(template.record, scope, ids) as Record<string, unknown>;
      } catch (error) {
        throw new ContentError(
          scenario.file,
          `${event.template}: ${(error as Error).message}`,
          scenario.lines?.events[index],
          `events.${index}`,
        );
      }
      out.push({ source: template.source, template: event.template, time, record });
    }
  });
  return out.sort((a, b) => a.time - b.time);
}

function timeBuiltins(time: number, n: number): Scope {
  const iso = new Date(time).toISOString();
  return {
    n,
    time: iso.replace(/\.\d{3}Z$/, 'Z'),
    timeMs: iso,
    timeNs: iso.replace(/Z$/, '000000Z'),
    time7: iso.replace(/Z$/, '0000Z'),
    receiveTime: new Date(time + 731).toISOString().replace(/Z$/, '482113Z'),
    epochSeconds: Math.floor(time / 1000),
    timeDisplay: displayTime(time),
  };
}

/** IAM's response `createDate` style: `Jan 5, 2026, 10:05:00 AM` (UTC). */
function displayTime(time: number): string {
  return new Date(time).toLocaleString('en-US', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    hour12: true,
  });
}

/** Seeded ids: per-event ids come from a counter; named ids (`akid:backdoor-key`) are stable across events. */
class IdSource {
  private counter = 0;
  constructor(
    private readonly seed: string,
    private readonly eventKey: string,
  ) {}

  next(): Buffer {
    return digest(`${this.seed}|event|${this.eventKey}|${this.counter++}`);
  }

  named(kind: string, name: string): Buffer {
    return digest(`${this.seed}|${kind}|${name}`);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.subarray(0, 16).toString('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function base32Of(bytes: Buffer, length: number): string {
  return Array.from(bytes.subarray(0, length), (b) => BASE32[b % 32]).join('');
}

function digitsOf(bytes: Buffer, length: number): string {
  return String((bytes[0]! % 9) + 1) + Array.from(bytes.subarray(1, length), (b) => String(b % 10)).join('');
}

/** Generators usable as `${fn}` (fresh per event) or `${fn:param-or-literal}` (stable per name). */
const GENERATORS: Record<string, (bytes: Buffer) => string> = {
  uuid: uuidOf,
  akid: (b) => `AKIA${base32Of(b, 16)}`,
  asia: (b) => `ASIA${base32Of(b, 16)}`,
  aida: (b) => `AIDA${base32Of(b, 17)}`,
  aroa: (b) => `AROA${base32Of(b, 17)}`,
  digits: (b) => digitsOf(b, 21),
  hex: (b) => b.subarray(0, 20).toString('hex'),
  insert: (b) => b.subarray(0, 6).toString('hex'),
};

function render(value: unknown, scope: Scope, ids: IdSource, depth = 0): unknown {
  if (depth > 20) throw new Error('template placeholders refer to each other in a loop');
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return resolveExpr(whole[1]!, scope, ids, depth);
    return value.replace(PLACEHOLDER, (_m, expr: string) => {
      const v = resolveExpr(expr, scope, ids, depth);
      return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, scope, ids, depth));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, scope, ids, depth)]));
  return value;
}

function resolveExpr(expr: string, scope: Scope, ids: IdSource, depth: number): unknown {
  const [head, arg] = splitOnce(expr.trim(), ':');
  const generator = GENERATORS[head];
  if (generator) {
    if (arg === undefined) return generator(ids.next());
    const name = lookup(scope, arg);
    return generator(ids.named(head, String(name === undefined ? arg : render(name, scope, ids, depth + 1))));
  }
  const value = lookup(scope, expr.trim());
  if (value === undefined) throw new Error(`template placeholder \${${expr}} has no value`);
  return render(value, scope, ids, depth + 1);
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

function lookup(scope: Scope, path: string): unknown {
  let node: unknown = scope;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Scope)[part];
  }
  return node;
}
