import type { Cluster } from '../cluster/index.js';
import { reasonOf } from '../cluster/index.js';
import { compilePipelineContent } from '../compile/pipelines.js';
import { COMPILER_PROCESSORS } from '../compile/route.js';
import {
  eachProcessor,
  readPipelineContent,
  type PipelineContent,
  type PipelineFile,
  type TemplateFile,
} from '../content/pipelines.js';
import type { Loaded } from '../content/yaml.js';
import { ContentError, ContentErrors } from '../errors.js';

/** Ingest processors both OpenSearch 2.x and Elasticsearch 8.x ship; used when no target is given. */
export const PORTABLE_PROCESSORS: ReadonlySet<string> = new Set([
  'append',
  'bytes',
  'community_id',
  'convert',
  'csv',
  'date',
  'date_index_name',
  'dissect',
  'dot_expander',
  'drop',
  'fail',
  'fingerprint',
  'foreach',
  'grok',
  'gsub',
  'html_strip',
  'join',
  'json',
  'kv',
  'lowercase',
  'pipeline',
  'remove',
  'rename',
  'script',
  'set',
  'sort',
  'split',
  'trim',
  'uppercase',
  'urldecode',
  'user_agent',
]);

/**
 * Reads a pipelines folder and checks what no schema can: duplicate pipeline ids, processors the distribution
 * lacks, duplicate tags, script sources, calls to pipelines and component templates that do not exist.
 * Returns what loaded and every problem, so `validate` can list them all at once.
 */
export function checkPipelines(
  dir = 'pipelines',
  processors: ReadonlySet<string> = PORTABLE_PROCESSORS,
): { content: PipelineContent; errors: ContentError[] } {
  const { content, errors, complete } = readPipelineContent(dir);
  const ids = new Set<string>();
  for (const { value, source } of content.pipelines) {
    if (ids.has(value.id))
      errors.push(new ContentError(source.file, 'duplicate pipeline id', source.lineOf(['id']), 'id'));
    ids.add(value.id);
  }
  // A pipeline file that did not load would make every call to it look like a dangling name.
  const known = complete && ids.size === content.pipelines.length ? ids : undefined;
  for (const pipeline of content.pipelines) errors.push(...checkPipeline(pipeline, dir, known, processors));
  errors.push(...checkTemplates(content.templates));
  return { content, errors };
}

/** Reads and checks a pipelines folder; throws every problem at once. */
export function loadPipelineContent(dir = 'pipelines', processors?: ReadonlySet<string>): PipelineContent {
  const { content, errors } = checkPipelines(dir, processors);
  if (errors.length) throw new ContentErrors(errors);
  return content;
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
  const { content, errors } = checkPipelines(dir, processors);
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
  let line: number | undefined;
  eachProcessor(value, (_type, config, path) => {
    if (config.tag === tag) line ??= source.lineOf([...path, 'tag']);
  });
  return line;
}

function checkPipeline(
  { value, source }: Loaded<PipelineFile>,
  dir: string,
  pipelineIds: Set<string> | undefined,
  known: ReadonlySet<string>,
): ContentError[] {
  const errors: ContentError[] = [];
  const tags = new Set<string>();
  eachProcessor(value, (type, config, at) => {
    const error = (problem: string, key?: string): void => {
      const path = key ? [...at, key] : at;
      errors.push(new ContentError(source.file, problem, source.lineOf(path), path.join('.')));
    };
    if (!known.has(type) && !COMPILER_PROCESSORS.has(type))
      error(`unknown processor type '${type}' for this distribution`);
    if (tags.has(config.tag))
      error(`duplicate tag '${config.tag}' (dead letters name the failing processor by tag)`, 'tag');
    tags.add(config.tag);
    if (type === 'script') {
      if (typeof config.source !== 'string' && !config.source_files)
        error('a script needs source or source_files');
      if (config.lang !== undefined && config.lang !== 'painless')
        error('only painless scripts are portable', 'lang');
    } else if (config.source_files !== undefined) {
      error('source_files is only for script processors', 'source_files');
    }
    // A templated name ({{...}}) is resolved per document and cannot be checked here.
    const name = config.name;
    if (
      type === 'pipeline' &&
      typeof name === 'string' &&
      !name.includes('{{') &&
      pipelineIds &&
      !pipelineIds.has(name)
    )
      error(`no pipeline '${name}' in ${dir}`, 'name');
  });
  return errors;
}

function checkTemplates(templates: Loaded<TemplateFile>[]): ContentError[] {
  const errors: ContentError[] = [];
  const components = new Set(
    templates.filter((t) => t.value.kind === 'component_template').map((t) => t.value.name),
  );
  for (const { value, source } of templates) {
    if (value.kind !== 'index_template') continue;
    (value.body.composed_of as string[]).forEach((name, i) => {
      if (!components.has(name)) {
        errors.push(
          new ContentError(
            source.file,
            `no component template '${name}'`,
            source.lineOf(['body', 'composed_of', i]),
            `body.composed_of.${i}`,
          ),
        );
      }
    });
  }
  return errors;
}
