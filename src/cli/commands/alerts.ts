import { Command } from 'commander';
import { formatAlert, readAlerts } from '../../alerts/index.js';
import {
  connectTarget,
  timeOption,
  withDeploymentOption,
  withTargetOptions,
  wholeNumber,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

interface AlertsOptions extends TargetOptions, DeploymentOptions {
  rule?: string;
  /** Epoch milliseconds. */
  since?: number;
  marker?: string;
  limit: number;
  json?: boolean;
}

/** `firedrill alerts`: lists alerts, newest first. */
export function alertsCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(new Command('alerts').description('list the alerts in the cluster, newest first')),
  )
    .option('--rule <id>', 'only alerts of this rule (`*` wildcards allowed)')
    .addOption(
      timeOption(
        '--since <time>',
        'only alerts written since then: a duration ago (1h, 7d), an ISO 8601 time or now',
      ),
    )
    .option('--marker <id>', 'only alerts of this replay run')
    .option('--limit <n>', 'most alerts shown', wholeNumber('--limit'), 100)
    .option('--json', 'print the alert documents as JSON')
    .action(async (options: AlertsOptions) => {
      const limit = options.limit;
      const cluster = await connectTarget(options);
      try {
        const alerts = await readAlerts(cluster, {
          deployment: options.deployment,
          rule: options.rule,
          since: options.since === undefined ? undefined : new Date(options.since),
          marker: options.marker,
          limit,
        });
        if (options.json) process.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
        else if (alerts.length === 0) process.stdout.write('no alerts\n');
        else process.stdout.write(`${alerts.map(formatAlert).join('\n')}\n`);
      } finally {
        await cluster.close();
      }
    });
}
