import { Command } from 'commander';
import { removeDeployment } from '../../deploy/index.js';
import { UsageError } from '../../errors.js';
import { cleanup } from '../../replay/replay.js';
import {
  connectTarget,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

/**
 * `firedrill cleanup --marker ID`: removes one replay's events, dead letters and alerts, nothing else.
 * `--all` removes a whole deployment other than `default` (one `firedrill test --keep` left behind).
 */
export function cleanupCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('cleanup').description(
        "delete a replay run's events, dead letters and alerts (only documents with its marker)",
      ),
    ),
  )
    .option('--marker <id>', 'the run marker printed by `firedrill replay`')
    .option('--all', 'remove the whole deployment (--deployment, not default): resources, data and history')
    .action(async (options: TargetOptions & DeploymentOptions & { marker?: string; all?: boolean }) => {
      if (!options.marker === !options.all) throw new UsageError('cleanup needs --marker ID or --all');
      if (options.all && options.deployment === 'default')
        throw new UsageError('--all removes a deployment other than default: name it with --deployment');
      const cluster = await connectTarget(options);
      try {
        if (!options.marker) {
          await removeDeployment(cluster, options.deployment);
          process.stdout.write(`removed deployment '${options.deployment}'\n`);
          return;
        }
        const removed = await cleanup(cluster, options.marker, options.deployment);
        process.stdout.write(
          `removed ${removed.events} event(s) and ${removed.alerts} alert(s) with marker ${options.marker}\n`,
        );
      } finally {
        await cluster.close();
      }
    });
}
