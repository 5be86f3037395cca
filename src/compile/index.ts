import { join } from 'node:path';
import { loadConfig, type FiredrillConfig } from '../content/config.js';
import { compileEngineResources } from './engine.js';
import { compilePipelines } from './pipelines.js';
import { compileRules } from './rules/index.js';
import { RESOURCE_KIND_ORDER, type Resource } from './types.js';

export interface CompileAllOptions {
  /** The directory holding `pipelines/` and `detections/` (default: the working directory). */
  contentDir?: string;
  config?: FiredrillConfig;
}

/** Everything a deploy puts into a cluster — pipelines, templates, engine indices, rules — in apply order. */
export function compileAll(options: CompileAllOptions = {}): Resource[] {
  const dir = options.contentDir ?? '.';
  const config = options.config ?? loadConfig();
  const pipelines = compilePipelines(join(dir, 'pipelines'), { keepOriginal: config.keepEventOriginal });
  const rules = compileRules(join(dir, 'detections'), config);
  const engine = compileEngineResources(rules, pipelines);
  return [...pipelines, ...engine].sort(
    (a, b) => RESOURCE_KIND_ORDER.indexOf(a.kind) - RESOURCE_KIND_ORDER.indexOf(b.kind),
  );
}
