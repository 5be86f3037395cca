import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ContentError, ContentErrors } from '../errors.js';
import { Type, type Static } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { documentOptions, Pattern, StringEnum, type Filled } from './schema.js';
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

// The processor is defined once, under `definitions`, and referenced by JSON pointer (editors resolve those).
const Processor = () => Type.Unsafe<ProcessorEntry>(Type.Ref('#/definitions/processor'));

const ProcessorSchema = Type.Record(
  Type.String(),
  Type.Object(
    {
      tag: Pattern('^[a-z0-9][a-z0-9-]*$', 'is not a tag like parse-message', {
        description: 'Unique in the pipeline: dead letters name the failing processor by it.',
      }),
      if: Type.Optional(Type.String({ minLength: 1 })),
      description: Type.Optional(Type.String()),
      ignore_failure: Type.Optional(Type.Boolean()),
      on_failure: Type.Optional(Type.Array(Processor(), { minItems: 1 })),
      unless_option: Type.Optional(
        StringEnum(PIPELINE_OPTIONS, { description: 'Left out when this compile option is on.' }),
      ),
      source_files: Type.Optional(
        Type.Array(Pattern('\\.painless$', 'is not a .painless file'), {
          minItems: 1,
          description: 'script only: files under pipelines/ whose texts, then source, make the script.',
        }),
      ),
    },
    { description: "The processor's options, as the cluster takes them, plus firedrill's own." },
  ),
  { minProperties: 1, maxProperties: 1, description: 'One processor: { <type>: { tag, ...options } }.' },
);

type ProcessorOptions = Static<typeof ProcessorSchema>[string];

/** One processor's options; the schema leaves them open for whatever the processor type takes. */
export interface ProcessorConfig extends ProcessorOptions {
  [key: string]: unknown;
}

/** One processor as written: `{ <type>: { tag, ...config } }`. */
export interface ProcessorEntry {
  [type: string]: ProcessorConfig;
}

const Processors = () => Type.Array(Processor(), { minItems: 1 });

export const PipelineFileSchema = Type.Object(
  {
    id: Pattern('^[a-z0-9][a-z0-9-]*$', 'is not a pipeline id like firedrill-router'),
    description: Type.String({ minLength: 1 }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    processors: Processors(),
    on_failure: Type.Optional(Processors()),
  },
  {
    ...documentOptions(
      'pipeline',
      'firedrill ingest pipeline',
      'An ingest pipeline: pipelines/<source>/pipeline.yaml (docs/pipelines.md).',
    ),
    definitions: { processor: ProcessorSchema },
    additionalProperties: false,
  },
);
export type PipelineFile = Filled<typeof PipelineFileSchema>;

const TEMPLATE_KINDS = ['component_template', 'index_template'] as const;

export const TemplateFileSchema = Type.Object(
  {
    kind: StringEnum(TEMPLATE_KINDS),
    name: Pattern('^[a-z0-9][a-z0-9._-]*$', 'is not a template name like firedrill-ecs'),
    body: Type.Record(Type.String(), Type.Unknown(), { description: 'The body the cluster receives.' }),
  },
  {
    ...documentOptions(
      'pipeline-template',
      'firedrill index or component template',
      'An index or component template: pipelines/templates/*.yaml (docs/pipelines.md).',
    ),
    additionalProperties: false,
    // An index template must rank above the built-in `logs` template (priority 100) and name its components.
    if: Type.Object({ kind: Type.Literal('index_template') }),
    then: Type.Object({
      body: Type.Object({
        index_patterns: Type.Array(Type.String(), { minItems: 1 }),
        priority: Type.Integer({ minimum: 101 }),
        composed_of: Type.Array(Type.String()),
      }),
    }),
  },
);
export type TemplateFile = Filled<typeof TemplateFileSchema>;

export interface Loaded<T> {
  value: T;
  source: SourceFile;
}

export interface PipelineContent {
  dir: string;
  pipelines: Loaded<PipelineFile>[];
  templates: Loaded<TemplateFile>[];
}

const validatePipelineFile = compileSchema(PipelineFileSchema);
const validateTemplateFile = compileSchema(TemplateFileSchema);

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

function load<T>(file: string, validate: ValidateFunction<T>, errors: ContentError[]): Loaded<T> | undefined {
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
