import type {
  PipelineContent,
  PipelineOption,
  ProcessorConfig,
  ProcessorEntry,
} from '../content/pipelines.js';
import { routeBySource } from './route.js';
import type { Resource, ResourceKind } from './types.js';

export interface PipelineCompileOptions {
  /** Keep `event.original` on indexed events (config key `keep_event_original`); dead letters always keep it. */
  keepOriginal?: boolean;
  /**
   * The IANA zone `firedrill.time.weekday` and `.hour` are set in (config `change_window.timezone`; default
   * UTC): the change window is local time there, daylight saving included (java.time in the pipeline).
   */
  timezone?: string;
}

const KIND_ORDER: ResourceKind[] = ['component_template', 'index_template', 'pipeline'];

/**
 * Compiles pipeline content into cluster resources: component templates, then index templates, then
 * pipelines — the order they must be created in. A script's `source_files` are joined before its inline
 * `source` (shared Painless, one script run), and processors tied to an option (`unless_option`) are
 * dropped when it is on.
 */
export function compilePipelineContent(
  content: PipelineContent,
  options: PipelineCompileOptions = {},
): Resource[] {
  const enabled = new Set<PipelineOption>(options.keepOriginal ? ['keep_original'] : []);
  const compile = (list: ProcessorEntry[]) =>
    compileProcessors(list, content.scripts, enabled, options.timezone);
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
        processors: compile(value.processors),
        ...(value.on_failure ? { on_failure: compile(value.on_failure) } : {}),
      },
      sourceFile: source.file,
    })),
  ];
  return resources.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

function compileProcessors(
  list: ProcessorEntry[],
  scripts: Record<string, string>,
  enabled: Set<PipelineOption>,
  timezone?: string,
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
      const parts = sourceFiles.map((file) => scriptText(scripts, file));
      compiled.source = [...parts, ...(typeof rest.source === 'string' ? [rest.source] : [])].join('\n');
      if (sourceFiles.includes(COPY_FIELDS) && isRecord(rest.params))
        compiled.params = splitCopyPaths(rest.params);
    }
    // finishEvent (scripts/finish-event.painless) reads the zone from the script's params.
    if (timezone && typeof compiled.source === 'string' && compiled.source.includes('finishEvent('))
      compiled.params = { ...((compiled.params as Record<string, unknown> | undefined) ?? {}), timezone };
    if (onFailure) compiled.on_failure = compileProcessors(onFailure, scripts, enabled, timezone);
    if (type === 'foreach' && compiled.processor) {
      compiled.processor = compileProcessors(
        [compiled.processor as ProcessorEntry],
        scripts,
        enabled,
        timezone,
      )[0];
    }
    out.push({ [type]: compiled });
  }
  return out;
}

/** The content reader resolves every script file; one it did not is a caller's bug. */
function scriptText(scripts: Record<string, string>, file: string): string {
  const text = scripts[file];
  if (text === undefined) throw new Error(`script ${file} was not read with the pipeline content`);
  return text;
}

/** The shared Painless that copies values between paths; its pairs reach the cluster as lists of keys. */
const COPY_FIELDS = 'scripts/copy-fields.painless';

/**
 * copy-fields.painless reads its pairs' paths as lists of keys, so no event pays for splitting them: the
 * dotted paths people write in `scalars`, `objects` and each `actions.*.copy` are split here, once.
 */
export function splitCopyPaths(params: Record<string, unknown>): Record<string, unknown> {
  const pairs = (list: unknown) =>
    Array.isArray(list)
      ? list.map((pair) =>
          Array.isArray(pair)
            ? pair.map((path) => (typeof path === 'string' ? path.split('.') : path))
            : pair,
        )
      : list;
  const out: Record<string, unknown> = { ...params };
  for (const key of ['scalars', 'objects']) if (key in out) out[key] = pairs(out[key]);
  if (isRecord(out.actions)) {
    out.actions = Object.fromEntries(
      Object.entries(out.actions).map(([name, entry]) => [
        name,
        isRecord(entry) && 'copy' in entry ? { ...entry, copy: pairs(entry.copy) } : entry,
      ]),
    );
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
