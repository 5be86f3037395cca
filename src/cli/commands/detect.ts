import { Command, Option } from 'commander';
import { colorsFor } from '../colors.js';
import {
  DetectionEngine,
  engineStatus,
  runOnce,
  type RuleStatus,
  type RunReport,
} from '../../engine/index.js';
import { describeError, EXIT, FiredrillError } from '../../errors.js';
import {
  connectTarget,
  durationOption,
  timeOption,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

interface DetectOptions extends TargetOptions, DeploymentOptions {
  once?: boolean;
  status?: boolean;
  /** Milliseconds, like `interval`. */
  lease: number;
  interval?: number;
  rules?: string;
  /** Epoch milliseconds. */
  from?: number;
  to?: number;
  marker?: string;
  /** False with `--no-refresh`. */
  refresh: boolean;
  json?: boolean;
}

/** `firedrill detect`: runs the deployed rules once, over a past range, or continuously until a signal. */
export function detectCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('detect').description(
        'evaluate the deployed detection rules and write alerts into the cluster',
      ),
    ),
  )
    .option('--once', 'evaluate every enabled rule once (from its checkpoint, or over its lookback) and exit')
    .option(
      '--status',
      "show each rule's live state: owner, lag, last run, error, back-off, alerts; then exit",
    )
    .addOption(
      durationOption(
        '--lease <duration>',
        "continuous: how long a rule lease lasts; another process takes over a dead one's rules after it",
        '30s',
      ),
    )
    .addOption(
      durationOption(
        '--interval <duration>',
        "run every rule at this interval (e.g. 5s) instead of each rule's own",
      ),
    )
    .option('--rules <glob>', 'only rules whose id matches (`*`, `?`, comma-separated)')
    .addOption(
      timeOption(
        '--from <time>',
        'backfill: evaluate events with @timestamp from this time (ISO 8601, or a duration ago like 2h)',
      ),
    )
    .addOption(timeOption('--to <time>', 'end of the backfill range (default: now)'))
    .option('--marker <id>', 'evaluate only events with this firedrill.marker and tag the alerts with it')
    .option(
      '--no-refresh',
      "live runs: do not refresh the rules' event indices first (for indices whose refresh interval was raised: every event is still evaluated, later)",
    )
    .addOption(new Option('--json', 'print each run report as JSON'))
    .action(async (options: DetectOptions) => {
      const from = options.from === undefined ? undefined : new Date(options.from);
      const to = options.to === undefined ? undefined : new Date(options.to);
      if (to && !from) throw new FiredrillError('--to needs --from');
      if (from && to && from >= to) throw new FiredrillError('--from must be before --to');
      const cluster = await connectTarget(options);
      try {
        if (options.status) {
          const status = await engineStatus(cluster, options.deployment);
          process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
          return;
        }
        if (options.once || from) {
          const report = await runOnce(cluster, {
            rules: options.rules,
            marker: options.marker,
            from,
            to,
            refresh: options.refresh,
            deployment: options.deployment,
          });
          if (report.rules.length === 0 && report.refused.length === 0)
            process.stderr.write(
              `firedrill: no enabled rule${options.rules ? ` matches '${options.rules}'` : ' is deployed'}\n`,
            );
          print(report, options.json, true);
          if (report.errors > 0) process.exitCode = EXIT.failed;
          return;
        }
        await runContinuously(
          new DetectionEngine(cluster)
            .withRules(options.rules)
            .withMarker(options.marker)
            .withRunOptions({ deployment: options.deployment, refresh: options.refresh })
            .withLeaseTime(options.lease)
            .onRun((report) => print(report, options.json, false))
            .onError((error) =>
              process.stderr.write(
                `${colorsFor(process.stderr).red('firedrill: run failed:')} ${describeError(error)}\n`,
              ),
            ),
          options.interval,
        );
      } finally {
        await cluster.close();
      }
    });
}

/** Runs until SIGINT/SIGTERM; the first signal finishes the rule in progress, a second one exits at once. */
async function runContinuously(engine: DetectionEngine, interval: number | undefined): Promise<void> {
  if (interval !== undefined) engine.withInterval(interval);
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('firedrill: stopping after the current rule (signal again to exit now)\n');
    void engine.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stderr.write('firedrill: detecting continuously (Ctrl-C to stop)\n');
  try {
    await engine.start().stopped();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function print(report: RunReport, json: boolean | undefined, summary: boolean): void {
  const pc = colorsFor(process.stdout);
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  for (const { ruleId, reason } of report.refused)
    process.stderr.write(`${colorsFor(process.stderr).red('refused')} ${ruleId}: ${reason}\n`);
  for (const rule of report.rules) {
    if (rule.error)
      process.stderr.write(`${colorsFor(process.stderr).red('error')} ${rule.ruleId}: ${rule.error}\n`);
    else if (rule.written > 0 || rule.dropped > 0)
      process.stdout.write(
        `${rule.ruleId}: ${rule.written} new alert(s)` +
          (rule.duplicates + rule.suppressed
            ? `, ${rule.duplicates + rule.suppressed} already alerted`
            : '') +
          (rule.dropped ? pc.yellow(`, ${rule.dropped} over max_alerts dropped`) : '') +
          '\n',
      );
  }
  if (summary)
    process.stdout.write(
      `${report.alerts} new alert(s) from ${report.rules.length} rule(s)${report.errors ? pc.red(`, ${report.errors} rule(s) failed`) : ''}\n`,
    );
}

/** One line per rule: failing ones first, then by lag. */
function formatStatus(rules: RuleStatus[]): string {
  const pc = colorsFor(process.stdout);
  if (rules.length === 0) return 'no enabled rule is deployed\n';
  const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${Math.round(ms / 1000)}s`);
  const lines = [...rules]
    .sort(
      (a, b) =>
        Number(!!b.refused) - Number(!!a.refused) ||
        b.failures - a.failures ||
        (b.lagMs ?? Infinity) - (a.lagMs ?? Infinity),
    )
    .map((r) => {
      const state = r.refused
        ? pc.red(r.refused)
        : r.pending
          ? pc.dim('pending: no live run yet')
          : r.error
            ? pc.red(`FAILING x${r.failures}: ${r.error}${r.retryAt ? ` (retry at ${r.retryAt})` : ''}`)
            : pc.green('ok');
      return `${r.rule}  lag ${seconds(r.lagMs)}  last run ${r.lastRun ?? '-'}  ${r.alerts} alert(s)  ${r.owner ?? '-'}  ${state}`;
    });
  return `${lines.join('\n')}\n`;
}
