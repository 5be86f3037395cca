import type { Cluster } from '../cluster/index.js';
import type { CompiledRule } from '../compile/types.js';
import { layoutOf } from '../layout/index.js';
import { ClusterClock } from './clock.js';
import { DEFAULT_LEASE_MS, LeaseKeeper, processName } from './leases.js';
import { runOnce, type RunOptions, type RunReport } from './run.js';

/** How often the engine wakes to see which rules are due, when no fixed interval is set. */
const TICK_MS = 1000;

/**
 * The continuous engine: evaluates deployed rules until stopped. Each rule runs on its own `intervalMs`
 * unless `withInterval` sets one for all. Several engine processes share the work: each evaluates the rules
 * whose lease it holds (src/engine/leases.ts), and takes over a stopped or killed one's within the lease time.
 * `stop()` lets the current rule finish, gives the leases back and then resolves; everything it leaves
 * undone is picked up from the rules' state by whoever holds them next.
 */
export class DetectionEngine {
  private options: RunOptions = {};
  private intervalMs?: number;
  private leaseMs = DEFAULT_LEASE_MS;
  private owner = processName();
  private listener: (report: RunReport) => void = () => {};
  private errorListener: (error: unknown) => void = () => {};
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private readonly lastRun = new Map<string, number>();

  constructor(private readonly cluster: Cluster) {}

  /** One interval for every rule instead of each rule's own. */
  withInterval(ms: number): this {
    this.intervalMs = ms;
    return this;
  }

  /** Only rules whose id matches this glob. */
  withRules(glob: string | undefined): this {
    this.options.rules = glob;
    return this;
  }

  /** Only events of one replay run; alerts carry the marker. */
  withMarker(marker: string | undefined): this {
    this.options.marker = marker;
    return this;
  }

  /** Run options not covered above (deployment, refresh, late window, the engine's clock). */
  withRunOptions(
    options: Omit<RunOptions, 'signal' | 'due' | 'owns' | 'owner' | 'clock' | 'from' | 'to'>,
  ): this {
    this.options = { ...this.options, ...options };
    return this;
  }

  /** How long a lease lasts without renewal: how soon others take over this process's rules if it dies. */
  withLeaseTime(ms: number): this {
    this.leaseMs = ms;
    return this;
  }

  /** The name this process goes by in leases and rule states (default `<host>:<pid>`). */
  withOwner(name: string): this {
    this.owner = name;
    return this;
  }

  /** Called after every run (also when it wrote nothing). */
  onRun(listener: (report: RunReport) => void): this {
    this.listener = listener;
    return this;
  }

  /** Called when a run fails as a whole (cluster unreachable); the engine keeps going. */
  onError(listener: (error: unknown) => void): this {
    this.errorListener = listener;
    return this;
  }

  /** Starts the loop in the background. */
  start(): this {
    this.running ??= this.loop();
    return this;
  }

  /** Resolves when the loop has ended, after `stop()`. */
  async stopped(): Promise<void> {
    await this.running;
  }

  /** Stops after the rule being evaluated; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    const clock = new ClusterClock(this.cluster, this.options.now);
    const leases = new LeaseKeeper(
      this.cluster,
      layoutOf(this.options.deployment).engineStateIndex,
      clock,
      this.owner,
      this.leaseMs,
    );
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await leases.balance();
        const report = await runOnce(this.cluster, {
          ...this.options,
          signal,
          clock,
          owner: this.owner,
          owns: (rule) => leases.owns(rule.id),
          due: (rule) => this.due(rule, started),
        });
        for (const rule of report.rules) if (!rule.error) this.lastRun.set(rule.ruleId, started);
        this.listener(report);
      } catch (error) {
        this.errorListener(error);
      }
      const wait = (this.intervalMs ?? TICK_MS) - (Date.now() - started);
      if (wait > 0) await sleep(wait, signal);
    }
    await leases.release().catch((error: unknown) => this.errorListener(error));
  }

  private due(rule: CompiledRule, now: number): boolean {
    if (this.intervalMs !== undefined) return true;
    return now - (this.lastRun.get(rule.id) ?? -Infinity) >= rule.intervalMs;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
