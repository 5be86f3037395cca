import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { ContentError } from '../errors.js';
import { documentOptions, Pattern, StringEnum, type Filled } from './schema.js';
import { compileSchema, loadValidated, readEach, type Loaded } from './yaml.js';

/** Compile-time switches a processor can be tied to with `unless_option`. */
export const PIPELINE_OPTIONS = ['keep_original'] as const;
export type PipelineOption = (typeof PIPELINE_OPTIONS)[number];

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

export interface PipelineContent {
  dir: string;
  pipelines: Loaded<PipelineFile>[];
  templates: Loaded<TemplateFile>[];
  /** The text of every script file the pipelines name in `source_files`, by that name. */
  scripts: Record<string, string>;
}

/** What reading a pipelines folder gives: what loaded, every problem, and whether every file loaded. */
export interface PipelineRead {
  content: PipelineContent;
  errors: ContentError[];
  /** Every pipeline and template file parsed and fits its schema (so references between them can be checked). */
  complete: boolean;
}

/** Called for every processor of a pipeline, nested ones included, with its path in the file. */
export type ProcessorVisitor = (type: string, config: ProcessorConfig, path: (string | number)[]) => void;

/** Visits every processor, parents before the processors nested in them (foreach `processor`, `on_failure`). */
export function eachProcessor(pipeline: PipelineFile, visit: ProcessorVisitor): void {
  const walk = (list: ProcessorEntry[] | undefined, path: (string | number)[]): void =>
    list?.forEach((entry, i) => {
      const [type, config] = Object.entries(entry)[0] as [string, ProcessorConfig];
      const at = [...path, i, type];
      visit(type, config, at);
      if (type === 'foreach' && config.processor !== undefined)
        walk([config.processor as ProcessorEntry], [...at, 'processor']);
      walk(config.on_failure, [...at, 'on_failure']);
    });
  walk(pipeline.processors, ['processors']);
  walk(pipeline.on_failure, ['on_failure']);
}

const validatePipelineFile = compileSchema(PipelineFileSchema);
const validateTemplateFile = compileSchema(TemplateFileSchema);

/**
 * Reads every pipeline (`<source>/pipeline.yaml`), template (`templates/*.yaml`) and script file they name
 * under `dir`: what parsed and fits its schema, and every problem of the rest, so `validate` can list them
 * all at once.
 */
export function readPipelineContent(dir = 'pipelines'): PipelineRead {
  const content: PipelineContent = { dir, pipelines: [], templates: [], scripts: {} };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { content, errors: [new ContentError(dir, 'pipelines folder not found')], complete: false };
  }
  const { values, errors } = readEach(contentFiles(dir), (file) =>
    relative(dir, file).startsWith('templates')
      ? { template: loadValidated(file, validateTemplateFile) }
      : { pipeline: loadValidated(file, validatePipelineFile) },
  );
  for (const { template, pipeline } of values) {
    if (template) content.templates.push(template);
    if (pipeline) content.pipelines.push(pipeline);
  }
  const complete = errors.length === 0;
  for (const { value, source } of content.pipelines)
    eachProcessor(value, (_type, config, path) =>
      config.source_files?.forEach((name, i) => {
        const file = join(dir, name);
        if (existsSync(file)) content.scripts[name] = readFileSync(file, 'utf8');
        else
          errors.push(
            new ContentError(
              source.file,
              `no such file ${file}`,
              source.lineOf([...path, 'source_files', i]),
              [...path, 'source_files', i].join('.'),
            ),
          );
      }),
    );
  return { content, errors, complete };
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
