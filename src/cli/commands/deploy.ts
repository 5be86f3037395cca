import { createInterface } from 'node:readline/promises';
import { Command, Option } from 'commander';
import { connectOptionsFromEnv, type Cluster } from '../../cluster/index.js';
import { compileContent } from '../../compile/index.js';
import type { FiredrillConfig } from '../../content/config.js';
import { deploy, type ProgressListener } from '../../deploy/index.js';
import { label, planJson, renderPlan } from '../../deploy/render.js';
import { FiredrillError, UsageError } from '../../errors.js';
import { loadContent } from '../../validate/index.js';
import {
  commandConfig,
  connectCluster,
  connectTarget,
  durationOption,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

export interface DeployTargetOptions extends TargetOptions, DeploymentOptions {
  env?: string;
  config?: string;
}

/** `--target`/`--insecure`, `--env NAME` (a target from the config), `--config` and `--deployment`. */
export function withDeployOptions(command: Command): Command {
  return withDeploymentOption(withTargetOptions(command))
    .addOption(
      new Option('--env <name>', 'deploy to a target named in the config (`targets:`)').conflicts('target'),
    )
    .option(
      '--config <file>',
      'the deployment config (default: found from --content or the working directory)',
    );
}

/** Connects to `--env NAME` from the config, else to the usual target. */
export async function connectDeployTarget(
  options: DeployTargetOptions,
  config: FiredrillConfig,
): Promise<Cluster> {
  if (!options.env) return connectTarget(options);
  const target = config.targets[options.env];
  if (!target)
    throw new UsageError(
      `no target '${options.env}' in ${config.file ?? 'the config'} (known: ${Object.keys(config.targets).join(', ') || 'none'})`,
    );
  return connectCluster(
    connectOptionsFromEnv(target.url, process.env, {
      insecure: options.insecure ?? target.insecure,
      caFile: target.ca,
    }),
  );
}

/** Asks on a terminal; elsewhere only `--yes` may approve writes. */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY)
    throw new UsageError('not applying without confirmation: pass --yes (stdin is not a terminal)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new FiredrillError('cancelled; nothing was changed');
  } finally {
    rl.close();
  }
}

/** One line per applied resource on a terminal; silent in pipes and CI logs. */
export const progressLines: ProgressListener = ({ phase, step, total, entry }) => {
  if (!process.stderr.isTTY) return;
  const verb = phase === 'restore' ? 'restored' : `${entry.action}d`;
  process.stderr.write(`  [${step}/${total}] ${verb} ${label(entry)}\n`);
};

interface DeployCommandOptions extends DeployTargetOptions {
  content: string;
  dryRun?: boolean;
  prune?: boolean;
  yes?: boolean;
  json?: boolean;
  /** Milliseconds. */
  lockWait: number;
}

/** `firedrill deploy`: compile, show the plan, apply it under the deploy lock. */
export function deployCommand(): Command {
  return withDeployOptions(new Command('deploy').description('apply the compiled content to the cluster'))
    .option('--content <dir>', 'the directory holding pipelines/ and detections/', '.')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--prune', 'delete resources this deployment manages that the content no longer has')
    .option('--yes', 'apply without asking')
    .option('--json', 'print the plan and the outcome as JSON (needs --yes or --dry-run to apply or not)')
    .addOption(durationOption('--lock-wait <duration>', 'wait this long for another deploy to finish', '0s'))
    .action(async (options: DeployCommandOptions) => {
      if (options.json && !options.yes && !options.dryRun)
        throw new UsageError('--json prints no question to answer: add --yes (apply) or --dry-run');
      const config = commandConfig(options);
      const resources = compileContent(loadContent(options.content), {
        config,
        deployment: options.deployment,
      });
      const cluster = await connectDeployTarget(options, config);
      try {
        const shown = await deploy(cluster, resources, { ...deployOptions(options), dryRun: true });
        const json = (outcome: { applied: boolean; version?: number }) =>
          process.stdout.write(
            `${JSON.stringify({ target: cluster.info.url, ...outcome, plan: planJson(shown.plan) }, null, 2)}\n`,
          );
        if (!options.json) process.stdout.write(renderPlan(shown.plan));
        if (options.dryRun || !shown.plan.hasChanges) {
          if (options.json) json({ applied: false });
          return;
        }
        await confirm(`Apply these changes to ${cluster.info.url}?`, options.yes);
        const result = await deploy(cluster, resources, {
          ...deployOptions(options),
          lock: { waitMs: options.lockWait },
          onProgress: progressLines,
          onPlan: (locked) => {
            if (changeSet(locked.entries) !== changeSet(shown.plan.entries))
              throw new FiredrillError(
                'the cluster changed since the plan was shown; nothing was applied, run deploy again',
              );
          },
        });
        const { create, update, delete: del } = result.plan.counts;
        if (options.json) {
          json({ applied: true, version: result.version });
          return;
        }
        process.stdout.write(
          `Deployed version ${result.version} of '${result.plan.deployment}' to ${cluster.info.url}: ${create} created, ${update} updated, ${del} deleted.\n`,
        );
      } finally {
        await cluster.close();
      }
    });
}

function deployOptions(options: DeployCommandOptions) {
  return { deployment: options.deployment, prune: options.prune };
}

function changeSet(entries: { action: string; kind: string; id: string; hash: string }[]): string {
  return entries
    .filter((e) => e.action !== 'unchanged')
    .map((e) => `${e.action} ${e.kind} ${e.id} ${e.hash}`)
    .join('\n');
}
