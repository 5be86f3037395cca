import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import type { Cluster } from '../../cluster/index.js';
import { contentPaths } from '../../content/paths.js';
import type { Scenario } from '../../content/scenarios.js';
import { removeDeployment } from '../../deploy/index.js';
import { ContentErrors, EXIT, UsageError } from '../../errors.js';
import { checkDeploymentName } from '../../layout/index.js';
import { startCluster } from '../../providers/start.js';
import { writeReports } from '../../reports/write.js';
import { textSummary } from '../../reports/summary.js';
import { drill } from '../../scenarios/drill.js';
import { validateContent } from '../../validate/content.js';
import {
  configFileFor,
  connectCluster,
  connectTarget,
  durationOption,
  usageChecked,
  verbose,
  withTargetOptions,
  type TargetOptions,
} from '../options.js';
import { printable } from '../../printable.js';

interface TestCommandOptions extends TargetOptions {
  provider?: 'embedded' | 'testcontainers';
  reportDir: string;
  config?: string;
  content: string;
  deployment?: string;
  yes?: boolean;
  json?: boolean;
  /** Milliseconds. */
  timeout: number;
  keep?: boolean;
  live?: boolean;
  withoutRule?: string[];
}

/**
 * `firedrill test`: deploy into a deployment of its own, replay every scenario in isolation, check its
 * expectations, write reports, remove the deployment; exit 1 if a scenario failed. It never changes what it
 * does not own: `--deployment NAME` uses an existing deployment and prunes it only with `--yes`.
 */
export function testCommand(): Command {
  return withTargetOptions(
    new Command('test')
      .description(
        'deploy the content into a throwaway deployment, replay each scenario in isolation and check the alerts it must (not) raise',
      )
      .argument('[scenarios...]', 'scenario files or folders (default: <content>/scenarios)'),
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
    .option(
      '--config <file>',
      'the deployment config (default: found from --content or the working directory)',
    )
    .option('--content <dir>', 'the directory holding pipelines/, detections/ and scenarios/', '.')
    .addOption(
      new Option(
        '--deployment <name>',
        'test in this existing deployment instead of a throwaway test-<random> one (kept afterwards; pruned only with --yes)',
      ).argParser(usageChecked('--deployment', checkDeploymentName)),
    )
    .option('--yes', "with --deployment: also delete the deployment's resources the content does not have")
    .addOption(
      durationOption('--timeout <duration>', 'how long to wait for expected alerts per scenario', '15s'),
    )
    .option(
      '--keep',
      "keep each scenario's events and alerts (and a throwaway deployment) instead of cleaning up",
    )
    .option(
      '--live',
      'detect with the continuous engine running the whole time (the production path) instead of one backfill per scenario',
    )
    .option('--json', 'print the run (results.json) on stdout instead of the summary')
    .addOption(
      new Option(
        '--without-rule <id...>',
        'deploy without these rules (their scenarios should then fail)',
      ).hideHelp(),
    )
    .action(async (paths: string[], options: TestCommandOptions) => {
      if (options.yes && !options.deployment)
        throw new UsageError('--yes only applies with --deployment (a throwaway deployment is always exact)');
      // Everything the run reads is checked before a cluster is started or contacted.
      const configFile = configFileFor(options);
      const content = await validateContent(options.content, {
        configFile,
        scenarios: paths.length ? paths : [contentPaths(options.content).scenarios],
      });
      if (content.errors.length) throw new ContentErrors(content.errors);
      for (const id of options.withoutRule ?? [])
        if (!content.ruleIds.includes(id)) throw new UsageError(`--without-rule ${id}: no such rule`);

      const started = options.provider ? await startCluster({ provider: options.provider }) : undefined;
      try {
        const cluster = started
          ? await connectCluster({ target: started.url })
          : await connectTarget(options);
        try {
          await runTests(cluster, content.loadedScenarios, configFile, options);
        } finally {
          await cluster.close();
        }
      } finally {
        await started?.stop();
      }
    });
}

async function runTests(
  cluster: Cluster,
  scenarios: Scenario[],
  configFile: string | undefined,
  options: TestCommandOptions,
): Promise<void> {
  const color = process.stdout.isTTY === true && !options.json;
  const c = color ? pc : pc.createColors(false);
  const own = !options.deployment;
  const deployment = options.deployment ?? `test-${randomBytes(4).toString('hex')}`;
  process.stderr.write(
    `deploying to ${cluster.info.distribution} ${cluster.info.version} at ${cluster.info.url}, deployment '${deployment}'${own ? ' (throwaway)' : ''}\n`,
  );
  try {
    const run = await drill(cluster, {
      scenarios,
      configFile,
      contentDir: options.content,
      deployment,
      prune: own || options.yes === true,
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
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ ...run, coverage: reports.coverage, deployment }, null, 2)}\n`,
      );
    else {
      process.stdout.write(textSummary(run, reports.coverage, color));
      process.stdout.write(
        `reports: ${reports.files.html}, ${reports.files.junit}, ${reports.files.navigator}, ${reports.files.json}\n`,
      );
    }
    if (!run.passed) process.exitCode = EXIT.failed;
  } finally {
    if (own && options.keep)
      process.stderr.write(
        `kept deployment '${deployment}' with its data; remove it with: firedrill cleanup --deployment ${deployment} --all\n`,
      );
    else if (own) {
      verbose(`removing deployment '${deployment}'`);
      await removeDeployment(cluster, deployment);
    }
  }
}
