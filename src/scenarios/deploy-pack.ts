import type { Cluster } from '../cluster/index.js';
import { compileContent } from '../compile/index.js';
import { compileRules } from '../compile/rules/index.js';
import type { CompiledRule } from '../compile/types.js';
import { findConfigFile, type FiredrillConfig } from '../content/config.js';
import { deploy } from '../deploy/index.js';
import { UsageError } from '../errors.js';
import { loadConfig, loadContent } from '../validate/index.js';

export interface DeployPackOptions {
  /** The directory holding `pipelines/` and `detections/` (default: the working directory). */
  contentDir?: string;
  /** The deployment config; default: `configFile`, else the one `findConfigFile(contentDir)` finds. */
  config?: FiredrillConfig;
  configFile?: string;
  /** Rule ids to leave out (and prune from the cluster): proves their scenarios then fail. */
  withoutRules?: string[];
  /** The deployment to deploy into (default `default`). */
  deployment?: string;
  /**
   * Delete what the deployment holds that the content does not (default true). Off, resources of others
   * sharing the deployment stay; `firedrill test --deployment NAME` prunes only with `--yes`.
   */
  prune?: boolean;
}

/** Compiles and deploys pipelines, engine indices and rules; returns the rules now deployed. */
export async function deployPack(cluster: Cluster, options: DeployPackOptions = {}): Promise<CompiledRule[]> {
  const contentDir = options.contentDir ?? '.';
  const config = options.config ?? loadConfig(options.configFile ?? findConfigFile(contentDir));
  const without = new Set(options.withoutRules ?? []);
  const content = loadContent(contentDir);
  const rules = compileRules(content.detections, config);
  for (const id of without)
    if (!rules.some((r) => r.id === id))
      throw new UsageError(`--without-rule ${id}: no such rule in ${contentDir}/detections`);
  const resources = compileContent(content, { config, deployment: options.deployment }).filter(
    (r) => !(r.kind === 'rule' && without.has(r.id)),
  );
  await deploy(cluster, resources, { prune: options.prune ?? true, deployment: options.deployment });
  return rules.filter((r) => !without.has(r.id));
}
