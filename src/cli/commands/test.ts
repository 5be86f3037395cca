import { Command, Option } from 'commander';
import pc from 'picocolors';
import { connect, type Cluster } from '../../cluster/index.js';
import { startCluster } from '../../providers/start.js';
import { drill } from '../../scenarios/drill.js';
import { writeReports } from '../../reports/write.js';
import { textSummary } from '../../reports/summary.js';
import { connectTarget, durationOption, withTargetOptions, type TargetOptions } from '../options.js';
import { printable } from '../../printable.js';

interface TestCommandOptions extends TargetOptions {
  provider?: 'embedded' | 'testcontainers';
  reportDir: string;
  config?: string;
  content: string;
  /** Milliseconds. */
  timeout: number;
  keep?: boolean;
  live?: boolean;
  withoutRule?: string[];
}

/** `firedrill test`: deploy, replay every scenario in isolation, check its expectations, write reports; non-zero on any failure. */
export function testCommand(): Command {
  return withTargetOptions(
    new Command('test')
      .description(
        'deploy the content, replay each scenario in isolation and check the alerts it must (not) raise',
      )
      .argument('[scenarios...]', 'scenario files or folders', ['scenarios']),
  )
    .addOption(
      new Option('--provider <name>', 'start a cluster for this run (and stop it after)')
        .choices(['embedded', 'testcontainers'])
        .conflicts('target'),
    )
    .option(
      '--report-dir <dir>',
      'where to write results.json, junit.xml, attack-navigator.json, coverage.html',
      'reports',
    )
    .option('--config <file>', 'the deployment config (default: firedrill.config.yaml if present)')
    .option('--content <dir>', 'the directory holding pipelines/ and detections/', '.')
    .addOption(
      durationOption('--timeout <duration>', 'how long to wait for expected alerts per scenario', '15s'),
    )
    .option('--keep', "keep each scenario's events and alerts instead of cleaning up")
    .option(
      '--live',
      'detect with the continuous engine running the whole time (the production path) instead of one backfill per scenario',
    )
    .addOption(
      new Option(
        '--without-rule <id...>',
        'deploy without these rules (their scenarios should then fail)',
      ).hideHelp(),
    )
    .action(async (scenarios: string[], options: TestCommandOptions) => {
      const started = options.provider ? await startCluster({ provider: options.provider }) : undefined;
      try {
        const cluster = started ? await connect({ target: started.url }) : await connectTarget(options);
        try {
          await runTests(cluster, scenarios, options);
        } finally {
          await cluster.close();
        }
      } finally {
        await started?.stop();
      }
    });
}

async function runTests(cluster: Cluster, scenarios: string[], options: TestCommandOptions): Promise<void> {
  const color = process.stdout.isTTY === true;
  const c = color ? pc : pc.createColors(false);
  process.stderr.write(
    `deploying to ${cluster.info.distribution} ${cluster.info.version} at ${cluster.info.url}\n`,
  );
  const run = await drill(cluster, {
    scenarios,
    configFile: options.config,
    contentDir: options.content,
    timeoutMs: options.timeout,
    keep: options.keep,
    mode: options.live ? 'live' : 'backfill',
    withoutRules: options.withoutRule,
    onScenario: (result, i, total) =>
      process.stderr.write(
        `  [${i + 1}/${total}] ${result.passed ? c.green('pass') : c.red('FAIL')} ${printable(result.name)}\n`,
      ),
  });
  const reports = await writeReports(run, options.reportDir);
  process.stdout.write(textSummary(run, reports.coverage, color));
  process.stdout.write(
    `reports: ${reports.files.html}, ${reports.files.junit}, ${reports.files.navigator}, ${reports.files.json}\n`,
  );
  if (!run.passed) process.exitCode = 1;
}
