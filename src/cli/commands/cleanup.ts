import { Command } from 'commander';
import { cleanup } from '../../replay/replay.js';
import {
  connectTarget,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

/** `firedrill cleanup --marker ID`: removes one replay's events, dead letters and alerts, nothing else. */
export function cleanupCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('cleanup').description(
        "delete a replay run's events, dead letters and alerts (only documents with its marker)",
      ),
    ),
  )
    .requiredOption('--marker <id>', 'the run marker printed by `firedrill replay`')
    .action(async (options: TargetOptions & DeploymentOptions & { marker: string }) => {
      const cluster = await connectTarget(options);
      try {
        const removed = await cleanup(cluster, options.marker, options.deployment);
        process.stdout.write(
          `removed ${removed.events} event(s) and ${removed.alerts} alert(s) with marker ${options.marker}\n`,
        );
      } finally {
        await cluster.close();
      }
    });
}
