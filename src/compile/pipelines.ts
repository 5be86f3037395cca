import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadPipelineContent,
  type PipelineContent,
  type PipelineOption,
  type ProcessorConfig,
  type ProcessorEntry,
} from '../content/pipelines.js';
import type { Resource, ResourceKind } from './types.js';

export interface PipelineCompileOptions {
  /** Keep `event.original` on indexed events (config key `keep_event_original`); dead letters always keep it. */
  keepOriginal?: boolean;
}

const KIND_ORDER: ResourceKind[] = ['component_template', 'index_template', 'pipeline'];

/**
 * Compiles `pipelines/` into cluster resources: component templates, then index templates, then
 * pipelines — the order they must be created in. Script `source_file`s are inlined and processors tied
 * to an option (`unless_option`) are dropped when it is on.
 */
export function compilePipelines(dir = 'pipelines', options: PipelineCompileOptions = {}): Resource[] {
  return compilePipelineContent(loadPipelineContent(dir), options);
}

export function compilePipelineContent(
  content: PipelineContent,
  options: PipelineCompileOptions = {},
): Resource[] {
  const enabled = new Set<PipelineOption>(options.keepOriginal ? ['keep_original'] : []);
  const resources: Resource[] = [
    ...content.templates.map(({ value, source }) => ({
      kind: value.kind,
      id: value.name,
      body: value.body,
      sourceFile: source.file,
    })),
    ...content.pipelines.map(({ value, source }) => ({
      kind: 'pipeline' as const,
      id: value.id,
      body: {
        description: value.description,
        ...(value.version ? { version: value.version } : {}),
        processors: compileProcessors(value.processors, content.dir, enabled),
        ...(value.on_failure
          ? { on_failure: compileProcessors(value.on_failure, content.dir, enabled) }
          : {}),
      },
      sourceFile: source.file,
    })),
  ];
  return resources.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

function compileProcessors(
  list: ProcessorEntry[],
  dir: string,
  enabled: Set<PipelineOption>,
): ProcessorEntry[] {
  const out: ProcessorEntry[] = [];
  for (const entry of list) {
    const [type, config] = Object.entries(entry)[0] as [string, ProcessorConfig];
    const { unless_option: unless, source_file: sourceFile, on_failure: onFailure, ...rest } = config;
    if (unless && enabled.has(unless)) continue;
    const compiled: ProcessorConfig = { ...rest };
    if (sourceFile) compiled.source = readFileSync(join(dir, sourceFile), 'utf8');
    if (onFailure) compiled.on_failure = compileProcessors(onFailure, dir, enabled);
    if (type === 'foreach' && compiled.processor) {
      compiled.processor = compileProcessors([compiled.processor as ProcessorEntry], dir, enabled)[0];
    }
    out.push({ [type]: compiled });
  }
  return out;
}
