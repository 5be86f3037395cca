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

/** A lease document and the version it was read or written at. */
interface Lease {
  doc: LeaseDoc;
  seqNo: number;
  primaryTerm: number;
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
  /** The leases this process holds, as it last wrote or saw them. */
  private readonly held = new Map<number, Lease>();
  private memberExpires?: string;

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
   * Renews this process's membership and leases when a third of their time has passed, takes free or
   * expired shards up to its fair share, and gives back shards above it. Call before every run, well
   * within the lease time.
   */
  async balance(): Promise<void> {
    const now = await this.clock.now();
    const expires = new Date(now + this.leaseMs).toISOString();
    // Renewed once a third of the lease time has passed, not on every run: a run every second would
    // otherwise write every lease every second.
    const due = (expiresAt: string): boolean => Date.parse(expiresAt) - now < (this.leaseMs * 2) / 3;
    if (!this.memberExpires || due(this.memberExpires)) {
      // Searchable at once, so every process counts the others right.
      await this.cluster.putDoc(
        this.index,
        `member:${this.owner}`,
        { type: 'member', owner: this.owner, expires_at: expires } satisfies MemberDoc,
        { refresh: true },
      );
      this.memberExpires = expires;
    }
    const res = await this.cluster.search<LeaseDoc | MemberDoc>(this.index, {
      size: 10_000,
      seq_no_primary_term: true,
      query: { terms: { type: ['lease', 'member'] } },
    });
    const members = res.hits.hits.filter(
      (h) => h._source.type === 'member' && Date.parse(h._source.expires_at) > now,
    );
    // A membership that vanished (the state index was recreated) is written again next time.
    if (!members.some((h) => h._source.owner === this.owner)) this.memberExpires = undefined;
    const fair = Math.ceil(this.shards / Math.max(1, members.length));
    // What the cluster shows, unless this process wrote a lease since (lease writes are not refreshed).
    const leases = new Map<number, Lease>(this.held);
    for (const hit of res.hits.hits) {
      if (hit._source.type !== 'lease') continue;
      const seen = { doc: hit._source, seqNo: hit._seq_no!, primaryTerm: hit._primary_term! };
      const own = leases.get(seen.doc.shard);
      if (!own || newer(seen, own)) leases.set(seen.doc.shard, seen);
    }

    const mine: number[] = [];
    const free: number[] = [];
    for (let shard = 0; shard < this.shards; shard++) {
      const lease = leases.get(shard);
      const valid = lease !== undefined && Date.parse(lease.doc.expires_at) > now;
      if (valid && lease.doc.owner === this.owner) mine.push(shard);
      else if (!valid) free.push(shard);
    }
    this.held.clear();
    const take = (shard: number): Promise<void> =>
      this.write({ type: 'lease', shard, owner: this.owner, expires_at: expires }, leases.get(shard));
    for (const shard of mine.slice(0, fair)) {
      const lease = leases.get(shard)!;
      if (due(lease.doc.expires_at)) await take(shard);
      else this.held.set(shard, lease);
    }
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
      await take(shard);
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
    this.memberExpires = undefined;
    await this.cluster.deleteDoc(this.index, `member:${this.owner}`).catch(() => false);
  }

  /** Takes or renews one lease with optimistic concurrency; losing the race just means not holding it. */
  private async write(doc: LeaseDoc, current: Lease | undefined): Promise<void> {
    const written = await this.cluster.putDoc(
      this.index,
      `lease:${doc.shard}`,
      doc,
      current ? { ifSeqNo: current.seqNo, ifPrimaryTerm: current.primaryTerm } : { opType: 'create' },
    );
    if (written.result === 'written')
      this.held.set(doc.shard, { doc, seqNo: written._seq_no, primaryTerm: written._primary_term });
    else this.held.delete(doc.shard);
  }
}

/** Whether version `a` of a document was written after version `b`. */
function newer(a: Lease, b: Lease): boolean {
  return a.primaryTerm > b.primaryTerm || (a.primaryTerm === b.primaryTerm && a.seqNo > b.seqNo);
}
