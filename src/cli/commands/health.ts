import { join } from 'node:path';
import { Command } from 'commander';
import type { Cluster } from '../../cluster/index.js';
import { compileRules } from '../../compile/rules/index.js';
import type { CompiledRule } from '../../compile/types.js';
import { layoutOf } from '../../layout/index.js';
import { loadDeployedRules } from '../../engine/rules.js';
import { formatHealth } from '../../health/format.js';
import { checkHealth } from '../../health/health.js';
import { loadDetections } from '../../validate/index.js';
import {
  commandConfig,
  connectTarget,
  durationOption,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

interface HealthCommandOptions extends TargetOptions, DeploymentOptions {
  json?: boolean;
  marker?: string;
  /** Milliseconds. */
  maxAge: number;
  content: string;
  config?: string;
}

/** `firedrill health`: is what the rules need logged, retained and searchable? */
export function healthCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('health').description(
        'per log source: which activities and actions are in the cluster, whether the fields the rules use are populated, freshness, dead letters',
      ),
    ),
  )
    .option('--json', 'print JSON')
    .option('--marker <id>', 'check one replay run instead of the live (unmarked) data')
    .addOption(durationOption('--max-age <duration>', 'a source whose newest event is older is stale', '24h'))
    .option('--content <dir>', 'rules to check when none are deployed: <dir>/detections', '.')
    .option('--config <file>', 'the deployment config for those rules')
    .action(async (options: HealthCommandOptions) => {
      const cluster = await connectTarget(options);
      try {
        const rules = await rulesToCheck(cluster, options);
        const report = await checkHealth(cluster, {
          rules,
          deployment: options.deployment,
          marker: options.marker,
          maxAgeMs: options.maxAge,
        });
        process.stdout.write(
          options.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : formatHealth(report, process.stdout.isTTY === true),
        );
      } finally {
        await cluster.close();
      }
    });
}

/** The deployed rules; before a first deploy, the ones in the content directory. */
async function rulesToCheck(cluster: Cluster, options: HealthCommandOptions): Promise<CompiledRule[]> {
  const layout = layoutOf(options.deployment);
  if (await cluster.indexExists(layout.rulesIndex)) return loadDeployedRules(cluster, layout);
  return compileRules(loadDetections(join(options.content, 'detections')), commandConfig(options));
}
