import { findConfigFile, readConfig, type FiredrillConfig } from '../content/config.js';
import { readContent, type Content } from '../content/index.js';
import { readPipelineContent } from '../content/pipelines.js';
import { ContentErrors } from '../errors.js';
import { layoutOf } from '../layout/index.js';
import { compileEngineResources, ruleDocument } from './engine.js';
import { compilePipelineContent, type PipelineCompileOptions } from './pipelines.js';
import { compileRules, withHash } from './rules/index.js';
import { RESOURCE_KIND_ORDER, type CompiledRule, type Resource } from './types.js';

export interface CompileOptions {
  config: FiredrillConfig;
  /**
   * The deployment the resources are for (default `default`): any other prefixes every name the content
   * owns — resource ids, index names and patterns, pipeline references — so copies share one cluster.
   */
  deployment?: string;
}

export interface CompileAllOptions extends Partial<CompileOptions> {
  /** The directory holding `pipelines/` and `detections/` (default: the working directory). */
  contentDir?: string;
}

/**
 * Everything a deploy puts into a cluster — pipelines, templates, engine indices, rules — in apply order.
 * Pure: it compiles the content it is given (src/validate's `loadContent` reads and checks it).
 */
export function compileContent(content: Content, { config, deployment }: CompileOptions): Resource[] {
  const pipelines = compilePipelineContent(content.pipelines, {
    keepOriginal: config.keepEventOriginal,
    timezone: config.parameters.change_window.timezone,
  });
  const rules = compileRules(content.detections, config);
  const engine = compileEngineResources(rules, pipelines);
  const all = [...pipelines, ...engine].sort(
    (a, b) => RESOURCE_KIND_ORDER.indexOf(a.kind) - RESOURCE_KIND_ORDER.indexOf(b.kind),
  );
  return forDeployment(all, deployment);
}

/**
 * `compileContent` of the content under `contentDir`, read as its schemas accept it; the config defaults to
 * the one `findConfigFile(contentDir)` finds. Cross-file checks are `firedrill validate`'s (src/validate/).
 */
export function compileAll(options: CompileAllOptions = {}): Resource[] {
  return compileContent(readContent(options.contentDir), {
    config: options.config ?? readConfig(findConfigFile(options.contentDir)).config,
    deployment: options.deployment,
  });
}

/** The pipelines and templates of a pipelines folder, compiled (for tests and tools that need only them). */
export function compilePipelines(dir = 'pipelines', options: PipelineCompileOptions = {}): Resource[] {
  const { content, errors } = readPipelineContent(dir);
  if (errors.length) throw new ContentErrors(errors);
  return compilePipelineContent(content, options);
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
