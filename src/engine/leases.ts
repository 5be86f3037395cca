import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cluster } from '../cluster/index.js';
import type { Clock } from './clock.js';

/** Rules are leased in this many shards: enough to spread over a handful of processes evenly. */
export const DEFAULT_SHARDS = 16;

/** How long a lease (and a process's membership) lasts without renewal. */
export const DEFAULT_LEASE_MS = 30_000;

interface LeaseDoc {
  type: 'lease';
  shard: number;
  owner: string;
  expires_at: string;
}

interface MemberDoc {
  type: 'member';
  owner: string;
  expires_at: string;
}

/** The shard a rule belongs to: stable across processes and runs. */
export function shardOf(ruleId: string, shards: number): number {
  return createHash('sha256').update(ruleId).digest().readUInt32BE(0) % shards;
}

/** A name for this process that other processes (and `detect --status`) can show. */
export function processName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * The rules one engine process evaluates. Rules are hashed into shards, and each shard is leased through
 * the cluster with an expiry: documents in the engine-state index written with optimistic concurrency, so
 * one process at a time holds a shard. Every process announces itself (a membership document with the same
 * expiry) and holds its fair share, ceil(shards / live processes): a new process takes shards as the others
 * let go of their extra ones, and a killed process's shards are taken over once its leases expire.
 */
export class LeaseKeeper {
  private readonly held = new Map<number, { seqNo: number; primaryTerm: number }>();

  constructor(
    private readonly cluster: Cluster,
    private readonly index: string,
    private readonly clock: Clock,
    readonly owner: string = processName(),
    private readonly leaseMs = DEFAULT_LEASE_MS,
    readonly shards = DEFAULT_SHARDS,
  ) {}

  /** Whether this process evaluates a rule now. */
  owns(ruleId: string): boolean {
    return this.held.has(shardOf(ruleId, this.shards));
  }

  /** The shards held now. */
  get shardsHeld(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /**
   * Renews this process's membership and leases, takes free or expired shards up to its fair share, and
   * gives back shards above it. Call before every run, well within the lease time.
   */
  async balance(): Promise<void> {
    const now = await this.clock.now();
    const expires = new Date(now + this.leaseMs).toISOString();
    // Searchable at once, so every process counts the others right.
    await this.cluster.putDoc(
      this.index,
      `member:${this.owner}`,
      { type: 'member', owner: this.owner, expires_at: expires } satisfies MemberDoc,
      { refresh: true },
    );
    const res = await this.cluster.search<LeaseDoc | MemberDoc>(this.index, {
      size: 10_000,
      seq_no_primary_term: true,
      query: { terms: { type: ['lease', 'member'] } },
    });
    const alive = res.hits.hits.filter(
      (h) => h._source.type === 'member' && Date.parse(h._source.expires_at) > now,
    ).length;
    const fair = Math.ceil(this.shards / Math.max(1, alive));
    const leases = new Map<number, { doc: LeaseDoc; seqNo: number; primaryTerm: number }>();
    for (const hit of res.hits.hits)
      if (hit._source.type === 'lease')
        leases.set(hit._source.shard, {
          doc: hit._source,
          seqNo: hit._seq_no!,
          primaryTerm: hit._primary_term!,
        });

    const doc = (shard: number): LeaseDoc => ({
      type: 'lease',
      shard,
      owner: this.owner,
      expires_at: expires,
    });
    const mine: number[] = [];
    const free: number[] = [];
    for (let shard = 0; shard < this.shards; shard++) {
      const lease = leases.get(shard);
      const valid = lease !== undefined && Date.parse(lease.doc.expires_at) > now;
      if (valid && lease.doc.owner === this.owner) mine.push(shard);
      else if (!valid) free.push(shard);
    }
    this.held.clear();
    for (const shard of mine.slice(0, fair)) await this.write(shard, doc(shard), leases.get(shard));
    // Above the fair share (another process joined): give these back for it to take.
    for (const shard of mine.slice(fair)) {
      const lease = leases.get(shard)!;
      await this.cluster.deleteDoc(this.index, `lease:${shard}`, {
        ifSeqNo: lease.seqNo,
        ifPrimaryTerm: lease.primaryTerm,
      });
    }
    for (const shard of free) {
      if (this.held.size >= fair) break;
      await this.write(shard, doc(shard), leases.get(shard));
    }
  }

  /** Gives back every lease and the membership, so the others take over at once. */
  async release(): Promise<void> {
    for (const [shard, version] of this.held)
      await this.cluster
        .deleteDoc(this.index, `lease:${shard}`, {
          ifSeqNo: version.seqNo,
          ifPrimaryTerm: version.primaryTerm,
        })
        .catch(() => false);
    this.held.clear();
    await this.cluster.deleteDoc(this.index, `member:${this.owner}`).catch(() => false);
  }

  /** Takes or renews one lease with optimistic concurrency; losing the race just means not holding it. */
  private async write(
    shard: number,
    doc: LeaseDoc,
    current: { seqNo: number; primaryTerm: number } | undefined,
  ): Promise<void> {
    const written = await this.cluster.putDoc(
      this.index,
      `lease:${shard}`,
      doc,
      current ? { ifSeqNo: current.seqNo, ifPrimaryTerm: current.primaryTerm } : { opType: 'create' },
    );
    if (written.result === 'written')
      this.held.set(shard, { seqNo: written._seq_no, primaryTerm: written._primary_term });
    else this.held.delete(shard);
  }
}
