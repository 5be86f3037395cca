import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import stringify from 'fast-json-stable-stringify';
import type { Resource, ResourceKind } from '../compile/types.js';

/** The firedrill release that stamps resources; read from package.json (same path from src/ and dist/). */
export const FIREDRILL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** What firedrill stamps on every resource it manages, so it can tell its own resources and their content apart. */
export interface ManagedMeta {
  managed_by: 'firedrill';
  firedrill_deployment: string;
  /** sha256 (hex) of the stable JSON of the compiled body, before this stamp. */
  firedrill_hash: string;
  firedrill_version: string;
}

/** Rule documents carry the stamp in this field (documents have no `_meta`). */
export const RULE_META_FIELD = 'firedrill_managed';

// OpenSearch pipelines reject `_meta`, so pipelines carry the stamp at the end of their description.
const PIPELINE_MARK =
  / ?\[managed_by=firedrill deployment=(\S+) hash=([0-9a-f]{64}) firedrill_version=(\S+)\]$/;

export function contentHash(body: unknown): string {
  return createHash('sha256').update(stringify(body)).digest('hex');
}

export function managedMeta(deployment: string, hash: string): ManagedMeta {
  return {
    managed_by: 'firedrill',
    firedrill_deployment: deployment,
    firedrill_hash: hash,
    firedrill_version: FIREDRILL_VERSION,
  };
}

/** The body sent to the cluster: the compiled body plus the stamp, in the place each kind keeps it. */
export function stamp(resource: Pick<Resource, 'kind' | 'body'>, meta: ManagedMeta): Record<string, unknown> {
  const body = resource.body;
  switch (resource.kind) {
    case 'component_template':
    case 'index_template':
      return { ...body, _meta: { ...asRecord(body._meta), ...meta } };
    case 'index': {
      const mappings = asRecord(body.mappings);
      return { ...body, mappings: { ...mappings, _meta: { ...asRecord(mappings._meta), ...meta } } };
    }
    case 'pipeline': {
      const description = typeof body.description === 'string' ? `${body.description} ` : '';
      return {
        ...body,
        description: `${description}[managed_by=firedrill deployment=${meta.firedrill_deployment} hash=${meta.firedrill_hash} firedrill_version=${meta.firedrill_version}]`,
      };
    }
    case 'rule':
      return { ...body, [RULE_META_FIELD]: meta };
  }
}

/** The stamp of a stored body as the cluster returns it; undefined when firedrill does not manage it. */
export function readStamp(kind: ResourceKind, stored: Record<string, unknown>): ManagedMeta | undefined {
  let candidate: unknown;
  switch (kind) {
    case 'component_template':
    case 'index_template':
      candidate = stored._meta;
      break;
    case 'index':
      candidate = asRecord(stored.mappings)._meta;
      break;
    case 'rule':
      candidate = stored[RULE_META_FIELD];
      break;
    case 'pipeline': {
      const match = typeof stored.description === 'string' ? PIPELINE_MARK.exec(stored.description) : null;
      if (!match) return undefined;
      return {
        managed_by: 'firedrill',
        firedrill_deployment: match[1] as string,
        firedrill_hash: match[2] as string,
        firedrill_version: match[3] as string,
      };
    }
  }
  const meta = asRecord(candidate);
  if (
    meta.managed_by !== 'firedrill' ||
    typeof meta.firedrill_deployment !== 'string' ||
    typeof meta.firedrill_hash !== 'string'
  )
    return undefined;
  return {
    managed_by: 'firedrill',
    firedrill_deployment: meta.firedrill_deployment,
    firedrill_hash: meta.firedrill_hash,
    firedrill_version: String(meta.firedrill_version ?? ''),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
