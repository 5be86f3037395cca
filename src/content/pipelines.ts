import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ContentError, ContentErrors } from '../errors.js';
import { compileSchema, parseSource, schemaErrors, type SourceFile } from './yaml.js';

/** Compile-time switches a processor can be tied to with `unless_option`. */
export const PIPELINE_OPTIONS = ['keep_original'] as const;
export type PipelineOption = (typeof PIPELINE_OPTIONS)[number];

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

/** Processors the compiler expands into real ones (src/compile/route.ts); never sent to a cluster as such. */
export const COMPILER_PROCESSORS: ReadonlySet<string> = new Set(['route_by_source']);

/** One processor as written: `{ <type>: { tag, ...config } }`. */
export type ProcessorEntry = Record<string, ProcessorConfig>;
export interface ProcessorConfig {
  tag: string;
  if?: string;
  on_failure?: ProcessorEntry[];
  unless_option?: PipelineOption;
  /** script only: files under the pipelines folder whose texts, then `source`, make the script. */
  source_files?: string[];
  [key: string]: unknown;
}

export interface PipelineFile {
  id: string;
  description: string;
  version?: number;
  processors: ProcessorEntry[];
  on_failure?: ProcessorEntry[];
}

export interface TemplateFile {
  kind: 'component_template' | 'index_template';
  name: string;
  body: Record<string, unknown>;
}

export interface Loaded<T> {
  value: T;
  source: SourceFile;
}

export interface PipelineContent {
  dir: string;
  pipelines: Loaded<PipelineFile>[];
  templates: Loaded<TemplateFile>[];
}

const processorSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: {
    type: 'object',
    required: ['tag'],
    properties: {
      tag: { type: 'string', minLength: 1, pattern: '^[a-z0-9][a-z0-9-]*$' },
      if: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      ignore_failure: { type: 'boolean' },
      on_failure: { type: 'array', minItems: 1, items: { $ref: '#/$defs/processor' } },
      unless_option: { enum: [...PIPELINE_OPTIONS] },
      source_files: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', pattern: '\\.painless$' },
      },
    },
  },
};

const validatePipelineFile = compileSchema<PipelineFile>({
  type: 'object',
  $defs: { processor: processorSchema },
  required: ['id', 'description', 'processors'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    description: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 1 },
    processors: { type: 'array', minItems: 1, items: { $ref: '#/$defs/processor' } },
    on_failure: { type: 'array', minItems: 1, items: { $ref: '#/$defs/processor' } },
  },
});

const validateTemplateFile = compileSchema<TemplateFile>({
  type: 'object',
  required: ['kind', 'name', 'body'],
  additionalProperties: false,
  properties: {
    kind: { enum: ['component_template', 'index_template'] },
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    body: { type: 'object' },
  },
});

const indexTemplateBody = compileSchema<Record<string, unknown>>({
  type: 'object',
  required: ['index_patterns', 'priority', 'composed_of'],
  properties: {
    index_patterns: { type: 'array', minItems: 1, items: { type: 'string' } },
    priority: { type: 'integer', minimum: 101 },
    composed_of: { type: 'array', items: { type: 'string' } },
  },
});

/**
 * Reads every pipeline (`<source>/pipeline.yaml`) and template (`templates/*.yaml`) under `dir`.
 * Returns the content that parsed and every problem found, so `validate` can list them all at once.
 */
export function readPipelineContent(
  dir = 'pipelines',
  processors: ReadonlySet<string> = PORTABLE_PROCESSORS,
): { content: PipelineContent; errors: ContentError[] } {
  const errors: ContentError[] = [];
  const content: PipelineContent = { dir, pipelines: [], templates: [] };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { content, errors: [new ContentError(dir, 'pipelines folder not found')] };
  }
  for (const file of contentFiles(dir)) {
    if (relative(dir, file).startsWith('templates')) {
      const loaded = load(file, validateTemplateFile, errors);
      if (loaded) content.templates.push(loaded);
    } else {
      const loaded = load(file, validatePipelineFile, errors);
      if (loaded) content.pipelines.push(loaded);
    }
  }
  const ids = new Set<string>();
  for (const { value, source } of content.pipelines) {
    if (ids.has(value.id))
      errors.push(new ContentError(source.file, 'duplicate pipeline id', source.lineOf(['id']), 'id'));
    ids.add(value.id);
  }
  // A pipeline file that did not load would make every call to it look like a dangling name.
  const allLoaded = errors.length === 0;
  for (const pipeline of content.pipelines) {
    errors.push(...checkPipeline(pipeline, dir, allLoaded ? ids : undefined, processors));
  }
  errors.push(...checkTemplates(content.templates));
  return { content, errors };
}

/** Like readPipelineContent, but throws every problem as one ContentErrors. */
export function loadPipelineContent(dir = 'pipelines', processors?: ReadonlySet<string>): PipelineContent {
  const { content, errors } = readPipelineContent(dir, processors);
  if (errors.length) throw new ContentErrors(errors);
  return content;
}

function contentFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory() || entry.name === 'scripts') continue;
    const folder = join(dir, entry.name);
    if (entry.name === 'templates') {
      files.push(
        ...readdirSync(folder)
          .filter(isYaml)
          .sort()
          .map((f) => join(folder, f)),
      );
    } else if (existsSync(join(folder, 'pipeline.yaml'))) {
      files.push(join(folder, 'pipeline.yaml'));
    }
  }
  return files;
}

function isYaml(name: string): boolean {
  return /\.(ya?ml|json)$/.test(name);
}

function load<T>(
  file: string,
  validate: ReturnType<typeof compileSchema<T>>,
  errors: ContentError[],
): Loaded<T> | undefined {
  let source: SourceFile;
  try {
    source = parseSource(file, readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof ContentError) errors.push(error);
    else throw error;
    return undefined;
  }
  if (!validate(source.data)) {
    errors.push(...schemaErrors(source, validate.errors));
    return undefined;
  }
  return { value: source.data as T, source };
}

function checkPipeline(
  { value, source }: Loaded<PipelineFile>,
  dir: string,
  pipelineIds: Set<string> | undefined,
  known: ReadonlySet<string>,
): ContentError[] {
  const errors: ContentError[] = [];
  const tags = new Set<string>();
  const visit = (list: ProcessorEntry[], path: (string | number)[]): void => {
    list.forEach((entry, i) => {
      const [type, config] = Object.entries(entry)[0] as [string, ProcessorConfig];
      const at = [...path, i, type];
      const error = (problem: string, key?: string): void => {
        errors.push(
          new ContentError(
            source.file,
            problem,
            source.lineOf(key ? [...at, key] : at),
            [...at, ...(key ? [key] : [])].join('.'),
          ),
        );
      };
      if (!known.has(type) && !COMPILER_PROCESSORS.has(type))
        error(`unknown processor type '${type}' for this distribution`);
      if (tags.has(config.tag))
        error(`duplicate tag '${config.tag}' (dead letters name the failing processor by tag)`, 'tag');
      tags.add(config.tag);
      if (type === 'script') {
        const files = config.source_files ?? [];
        if (typeof config.source !== 'string' && files.length === 0)
          error('a script needs source or source_files');
        files.forEach((file, n) => {
          if (!existsSync(join(dir, file))) error(`no such file ${join(dir, file)}`, `source_files.${n}`);
        });
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
      ) {
        error(`no pipeline '${name}' in ${dir}`, 'name');
      }
      if (type === 'foreach' && config.processor !== undefined) {
        visit([config.processor as ProcessorEntry], [...at, 'processor']);
      }
      if (config.on_failure) visit(config.on_failure, [...at, 'on_failure']);
    });
  };
  visit(value.processors, ['processors']);
  if (value.on_failure) visit(value.on_failure, ['on_failure']);
  return errors;
}

function checkTemplates(templates: Loaded<TemplateFile>[]): ContentError[] {
  const errors: ContentError[] = [];
  const components = new Set(
    templates.filter((t) => t.value.kind === 'component_template').map((t) => t.value.name),
  );
  for (const { value, source } of templates) {
    if (value.kind !== 'index_template') continue;
    if (!indexTemplateBody(value.body)) {
      const underBody = (indexTemplateBody.errors ?? []).map((e) => ({
        ...e,
        instancePath: `/body${e.instancePath}`,
      }));
      errors.push(...schemaErrors(source, underBody));
      continue;
    }
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
