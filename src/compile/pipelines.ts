import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../cluster/index.js';
import { reasonOf } from '../cluster/index.js';
import {
  loadPipelineContent,
  PORTABLE_PROCESSORS,
  readPipelineContent,
  type Loaded,
  type PipelineContent,
  type PipelineFile,
  type PipelineOption,
  type ProcessorConfig,
  type ProcessorEntry,
} from '../content/pipelines.js';
import { ContentError } from '../errors.js';
import { routeBySource } from './route.js';
import type { Resource, ResourceKind } from './types.js';

export interface PipelineCompileOptions {
  /** Keep `event.original` on indexed events (config key `keep_event_original`); dead letters always keep it. */
  keepOriginal?: boolean;
}

const KIND_ORDER: ResourceKind[] = ['component_template', 'index_template', 'pipeline'];

/**
 * Compiles `pipelines/` into cluster resources: component templates, then index templates, then
 * pipelines — the order they must be created in. A script's `source_files` are joined before its inline
 * `source` (shared Painless, one script run), and processors tied to an option (`unless_option`) are
 * dropped when it is on.
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
    const { unless_option: unless, source_files: sourceFiles, on_failure: onFailure, ...rest } = config;
    if (unless && enabled.has(unless)) continue;
    if (type === 'route_by_source') {
      out.push(...routeBySource());
      continue;
    }
    const compiled: ProcessorConfig = { ...rest };
    if (sourceFiles) {
      const parts = sourceFiles.map((file) => readFileSync(join(dir, file), 'utf8'));
      compiled.source = [...parts, ...(typeof rest.source === 'string' ? [rest.source] : [])].join('\n');
    }
    if (onFailure) compiled.on_failure = compileProcessors(onFailure, dir, enabled);
    if (type === 'foreach' && compiled.processor) {
      compiled.processor = compileProcessors([compiled.processor as ProcessorEntry], dir, enabled)[0];
    }
    out.push({ [type]: compiled });
  }
  return out;
}

export interface PipelineValidation {
  pipelines: number;
  templates: number;
  errors: ContentError[];
}

/**
 * Every problem in a pipelines folder, for `firedrill validate`. Without a cluster, processors are checked
 * against the list both distributions ship; with one, against what its nodes have, and every pipeline is compiled
 * there (an inline `_simulate`) so a Painless error is reported at the processor's line before any deploy.
 */
export async function validatePipelines(dir = 'pipelines', cluster?: Cluster): Promise<PipelineValidation> {
  const processors = cluster ? await cluster.ingestProcessors() : PORTABLE_PROCESSORS;
  const { content, errors } = readPipelineContent(dir, processors);
  if (cluster && errors.length === 0) {
    for (const pipeline of content.pipelines) {
      const [resource] = compilePipelineContent({ ...content, templates: [], pipelines: [pipeline] });
      const res = await cluster.request<{
        error?: { processor_tag?: string; root_cause?: { processor_tag?: string }[] };
      }>({
        method: 'POST',
        path: '/_ingest/pipeline/_simulate',
        body: { pipeline: resource!.body, docs: [{ _source: {} }] },
      });
      if (res.status < 400) continue;
      const tag = res.body.error?.processor_tag ?? res.body.error?.root_cause?.[0]?.processor_tag;
      errors.push(
        new ContentError(
          pipeline.source.file,
          `${cluster.info.distribution} ${cluster.info.version} rejects it: ${reasonOf(res.body) ?? res.status}`,
          tag ? lineOfTag(pipeline, tag) : undefined,
          tag ? `processor ${tag}` : undefined,
        ),
      );
    }
  }
  return { pipelines: content.pipelines.length, templates: content.templates.length, errors };
}

function lineOfTag({ value, source }: Loaded<PipelineFile>, tag: string): number | undefined {
  const find = (list: ProcessorEntry[] | undefined, path: (string | number)[]): number | undefined => {
    for (const [i, entry] of (list ?? []).entries()) {
      const [type, config] = Object.entries(entry)[0] as [string, ProcessorConfig];
      if (config.tag === tag) return source.lineOf([...path, i, type, 'tag']);
      const nested = find(config.on_failure, [...path, i, type, 'on_failure']);
      if (nested) return nested;
    }
    return undefined;
  };
  return find(value.processors, ['processors']) ?? find(value.on_failure, ['on_failure']);
}
