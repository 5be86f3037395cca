import { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { compileContent } from '../../compile/index.js';
import { plan } from '../../deploy/index.js';
import { planJson, renderPlan } from '../../deploy/render.js';
import { loadContent } from '../../validate/index.js';
import { commandConfig } from '../options.js';
import { connectDeployTarget, withDeployOptions, type DeployTargetOptions } from './deploy.js';

interface PlanCommandOptions extends DeployTargetOptions {
  content: string;
  json?: boolean;
  prune?: boolean;
  unchanged?: boolean;
  detailedExitcode?: boolean;
}

/** `firedrill plan`: what a deploy would create, update and delete — reads only. */
export function planCommand(): Command {
  return withDeployOptions(new Command('plan').description('show what deploy would change, field by field'))
    .option('--content <dir>', 'the directory holding pipelines/ and detections/', '.')
    .option('--prune', 'include deletions of resources the content no longer has')
    .option('--unchanged', 'list unchanged resources too')
    .option('--json', 'print the plan as JSON')
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when none (like terraform)')
    .action(async (options: PlanCommandOptions) => {
      const config = commandConfig(options);
      const resources = compileContent(loadContent(options.content), {
        config,
        deployment: options.deployment,
      });
      const cluster = await connectDeployTarget(options, config);
      try {
        const result = await plan(cluster, resources, {
          deployment: options.deployment,
          prune: options.prune,
        });
        process.stdout.write(
          options.json
            ? `${JSON.stringify(planJson(result), null, 2)}\n`
            : renderPlan(result, { unchanged: options.unchanged }),
        );
        if (options.detailedExitcode && result.hasChanges) process.exitCode = EXIT.changes;
      } finally {
        await cluster.close();
      }
    });
}
