import { join } from 'node:path';
import { loadConfig, type FiredrillConfig } from '../content/config.js';
import { compileEngineResources, ruleDocument } from './engine.js';
import { compilePipelines } from './pipelines.js';
import { compileRules, withHash } from './rules/index.js';
import { layoutOf } from '../layout/index.js';
import { RESOURCE_KIND_ORDER, type CompiledRule, type Resource } from './types.js';

export interface CompileAllOptions {
  /** The directory holding `pipelines/` and `detections/` (default: the working directory). */
  contentDir?: string;
  config?: FiredrillConfig;
  /**
   * The deployment the resources are for (default `default`): any other prefixes every name the content
   * owns — resource ids, index names and patterns, pipeline references — so copies share one cluster.
   */
  deployment?: string;
}

/** Everything a deploy puts into a cluster — pipelines, templates, engine indices, rules — in apply order. */
export function compileAll(options: CompileAllOptions = {}): Resource[] {
  const dir = options.contentDir ?? '.';
  const config = options.config ?? loadConfig();
  const pipelines = compilePipelines(join(dir, 'pipelines'), { keepOriginal: config.keepEventOriginal });
  const rules = compileRules(join(dir, 'detections'), config);
  const engine = compileEngineResources(rules, pipelines);
  const all = [...pipelines, ...engine].sort(
    (a, b) => RESOURCE_KIND_ORDER.indexOf(a.kind) - RESOURCE_KIND_ORDER.indexOf(b.kind),
  );
  return forDeployment(all, options.deployment);
}

/** Compiled resources renamed for a deployment (src/layout/): ids, bodies and the indices rules go to. */
export function forDeployment(resources: Resource[], deployment?: string): Resource[] {
  const layout = layoutOf(deployment);
  return resources.map((r) => ({
    ...r,
    id: layout.scope(r.id),
    body: r.kind === 'rule' ? rehashed(layout.scope(r.body)) : layout.scope(r.body),
    ...(r.index ? { index: layout.scope(r.index) } : {}),
  }));
}

/** A renamed rule is hashed again, so its hash is always that of the rule the document holds (the engine checks it). */
function rehashed(document: Record<string, unknown>): Record<string, unknown> {
  const { hash: _hash, ...rule } = document.firedrill_rule as CompiledRule;
  return ruleDocument(withHash(rule));
}
