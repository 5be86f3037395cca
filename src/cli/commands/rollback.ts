import { Command } from 'commander';
import { deployHistory, rollback } from '../../deploy/index.js';
import { renderHistory, renderPlan } from '../../deploy/render.js';
import { commandConfig, wholeNumber } from '../options.js';
import {
  confirm,
  connectDeployTarget,
  progressLines,
  withDeployOptions,
  type DeployTargetOptions,
} from './deploy.js';

interface RollbackCommandOptions extends DeployTargetOptions {
  to?: number;
  list?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

/** `firedrill rollback`: restore a recorded version from the cluster's own deploy history. */
export function rollbackCommand(): Command {
  return withDeployOptions(
    new Command('rollback').description(
      'restore the previous (or a named) deployed version of every resource',
    ),
  )
    .option(
      '--to <version>',
      'the version to restore (default: the one before the current)',
      wholeNumber('--to'),
    )
    .option('--list', 'list the recorded versions and exit')
    .option('--json', 'with --list: the versions as JSON')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--yes', 'apply without asking')
    .action(async (options: RollbackCommandOptions) => {
      const config = commandConfig(options);
      const cluster = await connectDeployTarget(options, config);
      try {
        const deployment = options.deployment;
        if (options.list) {
          const versions = await deployHistory(cluster, { deployment });
          process.stdout.write(
            options.json
              ? `${JSON.stringify({ deployment, versions }, null, 2)}\n`
              : renderHistory(deployment, versions),
          );
          return;
        }
        const to = options.to;
        const shown = await rollback(cluster, { deployment, to, dryRun: true });
        process.stdout.write(renderPlan(shown.plan));
        if (options.dryRun || !shown.plan.hasChanges) return;
        await confirm(`Roll back ${cluster.info.url}?`, options.yes);
        const result = await rollback(cluster, { deployment, to, onProgress: progressLines });
        process.stdout.write(
          `Rolled back '${deployment}' on ${cluster.info.url}; recorded as version ${result.version}.\n`,
        );
      } finally {
        await cluster.close();
      }
    });
}
