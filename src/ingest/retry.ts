import type { BulkItemResult } from '../cluster/index.js';

/** How hard ingest tries before it stops (safely, with a position to resume from). */
export interface RetryPolicy {
  /** Attempts in a row that settle nothing before the run stops (default 10). */
  attempts: number;
  /** The first back-off (ms); it doubles per attempt without progress (default 200). */
  initialDelayMs: number;
  /** The longest back-off (ms, default 20 s): 10 attempts wait about 70 s at most in all. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, initialDelayMs: 200, maxDelayMs: 20_000 };

/**
 * The wait before attempt `n` (0-based count of attempts without progress): exponential, capped, with
 * "equal jitter" (half fixed, half random) so many senders do not retry in step, yet never at once.
 */
export function backoffMs(n: number, policy: RetryPolicy, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** n);
  return Math.round(base / 2 + (random() * base) / 2);
}

/** What a whole bulk request's status means: the cluster took it, may take it when asked again, or refused. */
export function requestVerdict(status: number): 'answered' | 'retry' | 'too-large' | 'refused' {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 413) return 'too-large';
  if (status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/** Whether a whole-request status may hide a request the cluster carried out (a gateway gave up waiting). */
export function mayHaveBeenDone(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

// Item errors that pass: overload, shards moving or recovering, a node leaving or joining.
const TRANSIENT = new Set([
  'es_rejected_execution_exception',
  'rejected_execution_exception',
  'circuit_breaking_exception',
  'unavailable_shards_exception',
  'no_shard_available_action_exception',
  'primary_missing_action_exception',
  'shard_not_found_exception',
  'node_closed_exception',
  'node_disconnected_exception',
  'node_not_connected_exception',
  'connect_transport_exception',
  'send_request_transport_exception',
  'receive_timeout_transport_exception',
  'process_cluster_event_timeout_exception',
  'cluster_manager_not_discovered_exception',
  'master_not_discovered_exception',
  'not_master_exception',
  'timeout_exception',
]);

// Item errors that say the cluster will not take writes until someone acts: no use dead-lettering.
const REFUSALS = new Set(['cluster_block_exception', 'index_closed_exception', 'security_exception']);

/**
 * What one bulk item's result means. Transient errors are retried; a block the cluster lifts by itself
 * (the disk flood stage answers 429) is retried too; other blocks, closed indices and permissions stop
 * the run; what is left is about the record itself (mapping, parsing) and is dead-lettered.
 */
export function itemVerdict(
  result: BulkItemResult,
  deadLetterIndex: string,
): 'indexed' | 'dead-lettered' | 'duplicate' | 'retry' | 'refused' | 'dead-letter' {
  const { status, error } = result;
  if (status >= 200 && status < 300) return result._index === deadLetterIndex ? 'dead-lettered' : 'indexed';
  if (status === 409) return 'duplicate';
  const type = error?.type ?? '';
  if (status === 429 || TRANSIENT.has(type)) return 'retry';
  if (REFUSALS.has(type) || status === 401 || status === 403) return 'refused';
  if (status >= 500) return 'retry';
  return 'dead-letter';
}
