import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, itemVerdict, mayHaveBeenDone, requestVerdict } from './retry.js';

const DLQ = 'logs-firedrill.deadletter-default';

describe('backoffMs', () => {
  it('doubles per attempt without progress, up to the cap, half of it random', () => {
    const policy = { ...DEFAULT_RETRY, initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});

describe('requestVerdict', () => {
  it('retries overload and gateway trouble, splits on 413, stops on anything else', () => {
    expect([200, 429, 502, 503, 504, 500, 413, 400, 404].map(requestVerdict)).toEqual([
      'answered',
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
      'too-large',
      'refused',
      'refused',
    ]);
    expect([429, 502, 503, 504, 500].map(mayHaveBeenDone)).toEqual([false, true, true, true, false]);
  });
});

describe('itemVerdict', () => {
  const item = (status: number, type?: string, index = 'logs-aws.cloudtrail-default') => ({
    status,
    _index: index,
    ...(type ? { error: { type, reason: 'r' } } : {}),
  });

  it('counts written items by where they went, and 409 as a duplicate', () => {
    expect(itemVerdict(item(201), DLQ)).toBe('indexed');
    expect(itemVerdict(item(201, undefined, DLQ), DLQ)).toBe('dead-lettered');
    expect(itemVerdict(item(409, 'version_conflict_engine_exception'), DLQ)).toBe('duplicate');
  });

  it('retries what passes: overload, shards moving, nodes leaving, a flood-stage block (429)', () => {
    for (const [status, type] of [
      [429, 'es_rejected_execution_exception'],
      [503, 'unavailable_shards_exception'],
      [500, 'node_closed_exception'],
      [429, 'cluster_block_exception'],
      [503, 'anything'],
    ] as const)
      expect(itemVerdict(item(status, type), DLQ)).toBe('retry');
  });

  it('stops at blocks someone must lift and at permissions; dead-letters what is wrong with the record', () => {
    expect(itemVerdict(item(403, 'cluster_block_exception'), DLQ)).toBe('refused');
    expect(itemVerdict(item(400, 'index_closed_exception'), DLQ)).toBe('refused');
    expect(itemVerdict(item(403, 'security_exception'), DLQ)).toBe('refused');
    expect(itemVerdict(item(400, 'mapper_parsing_exception'), DLQ)).toBe('dead-letter');
    expect(itemVerdict(item(400, 'document_parsing_exception'), DLQ)).toBe('dead-letter');
  });
});
