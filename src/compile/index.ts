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
  /**
   * Prefixes every name the content owns — resource ids, index names and patterns, pipeline
   * references — so independent copies can share one cluster (tests, benchmarks).
   */
  namespace?: string;
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
  return options.namespace ? all.map((r) => withNamespace(r, options.namespace as string)) : all;
}

// Names the content owns start with `firedrill-` (resources, engine indices) or `logs-` (event indices).
const OWNED_NAME = /(^|[^A-Za-z0-9_.-])(firedrill-|logs-)/g;

function withNamespace(resource: Resource, namespace: string): Resource {
  const rename = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(OWNED_NAME, `$1${namespace}-$2`);
    if (Array.isArray(value)) return value.map(rename);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)]));
    return value;
  };
  return {
    ...resource,
    id: rename(resource.id) as string,
    body: rename(resource.body) as Record<string, unknown>,
    ...(resource.index ? { index: rename(resource.index) as string } : {}),
  };
}
