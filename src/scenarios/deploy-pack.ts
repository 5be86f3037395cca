import type { Cluster } from '../cluster/index.js';
import { compileContent } from '../compile/index.js';
import { compileRules } from '../compile/rules/index.js';
import type { CompiledRule } from '../compile/types.js';
import { deploy } from '../deploy/index.js';
import { FiredrillError } from '../errors.js';
import { loadConfig, loadContent } from '../validate/index.js';

export interface DeployPackOptions {
  /** The directory holding `pipelines/` and `detections/` (default: the working directory). */
  contentDir?: string;
  /** The deployment config (default: firedrill.config.yaml when present). */
  configFile?: string;
  /** Rule ids to leave out (and prune from the cluster): proves their scenarios then fail. */
  withoutRules?: string[];
  /** The deployment to deploy into (default `default`); it is pruned to exactly this content. */
  deployment?: string;
}

/** Compiles and deploys pipelines, engine indices and rules; returns the rules now deployed. */
export async function deployPack(cluster: Cluster, options: DeployPackOptions = {}): Promise<CompiledRule[]> {
  const contentDir = options.contentDir ?? '.';
  const config = loadConfig(options.configFile);
  const without = new Set(options.withoutRules ?? []);
  const content = loadContent(contentDir);
  const rules = compileRules(content.detections, config);
  for (const id of without)
    if (!rules.some((r) => r.id === id))
      throw new FiredrillError(`--without-rule ${id}: no such rule in ${contentDir}/detections`);
  const resources = compileContent(content, { config, deployment: options.deployment }).filter(
    (r) => !(r.kind === 'rule' && without.has(r.id)),
  );
  await deploy(cluster, resources, { prune: true, deployment: options.deployment });
  return rules.filter((r) => !without.has(r.id));
}
