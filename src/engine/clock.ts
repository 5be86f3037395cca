import type { Cluster } from '../cluster/index.js';

/** How often the offset to the cluster's clock is measured again. */
const REMEASURE_MS = 30_000;

/** Where a run reads the cluster's time from. */
export interface Clock {
  now(): Promise<number>;
}

/**
 * The cluster's time as the engine sees it: its own clock corrected by the measured offset to the clock
 * that stamps `event.ingested` (the ingest node's). Runs end and leases expire by this clock, so an engine
 * whose clock is ahead of or behind the cluster's neither skips events nor steals leases.
 */
export class ClusterClock implements Clock {
  private offsetMs = 0;
  private measuredAt = -Infinity;

  constructor(
    private readonly cluster: Cluster,
    /** The engine's own clock (tests move it). */
    private readonly local: () => number = Date.now,
  ) {}

  /** The cluster's time now, measuring the offset again when it is due. */
  async now(): Promise<number> {
    if (this.local() - this.measuredAt >= REMEASURE_MS) await this.measure();
    return this.local() + this.offsetMs;
  }

  /**
   * Measures the offset: the ingest clock minus the midpoint of the request on the local clock, from the
   * quickest of a few requests (as NTP does), so a busy process or network skews it least.
   */
  async measure(samples = 3): Promise<number> {
    let best = { roundTrip: Infinity, offset: 0 };
    for (let i = 0; i < samples; i++) {
      const before = this.local();
      const remote = await this.cluster.ingestClock();
      const after = this.local();
      if (after - before < best.roundTrip)
        best = { roundTrip: after - before, offset: Math.round(remote - (before + after) / 2) };
    }
    this.offsetMs = best.offset;
    this.measuredAt = this.local();
    return this.offsetMs;
  }
}
