import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  findScenarioFiles,
  readScenario,
  readTemplateFiles,
  type Scenario,
  type TemplateLibrary,
} from '../content/scenarios.js';
import { parseSource, readEach, type SourceFile } from '../content/yaml.js';
import { ContentError, ContentErrors } from '../errors.js';

/** Reads and checks one scenario file; throws every problem at once. */
export function loadScenario(file: string): Scenario {
  const { value, source } = readScenario(file);
  const problems = checkScenario(value, source);
  if (problems.length) throw new ContentErrors(problems);
  return value;
}

/** What scenarios name in other files: the rules they expect and the record templates they render. */
export interface ScenarioReferences {
  ruleIds: Set<string>;
  /** Without it (templates that do not load) template names are not checked. */
  templates?: TemplateLibrary;
}

/** Loads every scenario, collecting every file's problems before failing; names must be unique. */
export function loadScenarios(paths: string[], references?: ScenarioReferences): Scenario[] {
  const { scenarios, errors } = checkScenarios(paths, references);
  if (errors.length) throw new ContentErrors(errors);
  return scenarios;
}

/**
 * Every scenario under the paths, each checked on its own (schema, cross-field rules and, given them, the
 * rules and templates it names): what loaded, and every problem of every file.
 */
export function checkScenarios(
  paths: string[],
  references?: ScenarioReferences,
): { scenarios: Scenario[]; errors: ContentError[] } {
  const { values: found, errors: problems } = readEach([paths], findScenarioFiles);
  const load = (file: string): Scenario => {
    let loaded: ReturnType<typeof readScenario>;
    try {
      loaded = readScenario(file);
    } catch (error) {
      // A schema error hides nothing else: the names the file refers to are still checked, as far as they read.
      if (!references || !(error instanceof ContentErrors)) throw error;
      const source = parseSource(file);
      throw new ContentErrors([
        ...error.errors,
        ...checkReferences(source.data as Partial<Scenario>, resolve(file), source, references),
      ]);
    }
    const { value, source } = loaded;
    const errors = [
      ...checkScenario(value, source),
      ...(references ? checkReferences(value, value.file, source, references) : []),
    ];
    if (errors.length) throw new ContentErrors(errors);
    return value;
  };
  const { values: scenarios, errors } = readEach(found.flat(), load);
  problems.push(...errors);
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(s.name);
    if (other)
      problems.push(
        new ContentError(s.file, `scenario name '${s.name}' is also used by ${other}`, 1, 'name'),
      );
    seen.set(s.name, s.file);
  }
  return { scenarios, errors: problems };
}

/** A renamed rule or a misspelt template shows here, not halfway through `firedrill test`. */
function checkReferences(
  s: Partial<Scenario>,
  file: string,
  source: SourceFile,
  { ruleIds, templates }: ScenarioReferences,
): ContentError[] {
  const problems: ContentError[] = [];
  const unknown = (what: string, name: unknown, known: Iterable<string>, path: (string | number)[]) => {
    if (typeof name !== 'string') return;
    problems.push(
      new ContentError(
        file,
        `no ${what} '${name}'${suggestion(name, known)}`,
        source.lineOf(path),
        path.join('.'),
      ),
    );
  };
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  list(s.expect?.must_fire).forEach((e, i) => {
    const rule = (e as { rule?: unknown } | null)?.rule;
    if (typeof rule === 'string' && !ruleIds.has(rule))
      unknown('rule', rule, ruleIds, ['expect', 'must_fire', i, 'rule']);
  });
  list(s.expect?.must_not_fire).forEach((rule, i) => {
    if (typeof rule === 'string' && !ruleIds.has(rule))
      unknown('rule', rule, ruleIds, ['expect', 'must_not_fire', i]);
  });
  if (!templates) return problems;
  list(s.events).forEach((e, i) => {
    const template = (e as { template?: unknown } | null)?.template;
    if (typeof template === 'string' && !templates.events.has(template))
      unknown('event template', template, templates.events.keys(), ['events', i, 'template']);
  });
  const identities = s.identities && typeof s.identities === 'object' ? s.identities : {};
  for (const [name, identity] of Object.entries(identities)) {
    const template = (identity as { template?: unknown } | null)?.template;
    if (typeof template === 'string' && !templates.identities.has(template))
      unknown('identity template', template, templates.identities.keys(), ['identities', name, 'template']);
  }
  return problems;
}

/** ` (did you mean x?)` for the known name closest to a misspelt one, when one is close. */
function suggestion(name: string, known: Iterable<string>): string {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, name.length / 4) ? ` (did you mean ${best.name}?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

/** Loads every template file in a folder into one library; a name defined twice is an error. */
export function loadTemplates(dir: string): TemplateLibrary {
  const library: TemplateLibrary = { events: new Map(), identities: new Map() };
  const { values, errors: problems } = readTemplateFiles(dir);
  for (const { value, source } of values) {
    for (const [kind, map] of [
      ['events', library.events],
      ['identities', library.identities],
    ] as const) {
      for (const [name, t] of Object.entries(value[kind])) {
        const existing = map.get(name);
        if (existing)
          problems.push(
            new ContentError(
              source.file,
              `template '${name}' is also defined in ${existing.file}`,
              source.lineOf([kind, name]),
              `${kind}.${name}`,
            ),
          );
        (map as Map<string, unknown>).set(name, { ...t, source: value.source, file: source.file });
      }
    }
  }
  if (problems.length) throw new ContentErrors(problems);
  return library;
}

/**
 * What a scenario's schema cannot say: every actor is a declared identity, `every` comes with `repeat`, there
 * are events or raw files, an attack expects an alert, and the raw files exist.
 */
export function checkScenario(s: Scenario, source: SourceFile): ContentError[] {
  const problems: ContentError[] = [];
  s.events.forEach((e, i) => {
    if (!s.identities[e.actor])
      problems.push(
        new ContentError(
          s.file,
          `unknown identity '${e.actor}' (declared: ${Object.keys(s.identities).join(', ') || 'none'})`,
          source.lineOf(['events', i, 'actor']),
          `events.${i}.actor`,
        ),
      );
    if (e.every && !e.repeat)
      problems.push(
        new ContentError(s.file, 'needs repeat', source.lineOf(['events', i, 'every']), `events.${i}.every`),
      );
  });
  if (s.events.length === 0 && !s.raw)
    problems.push(new ContentError(s.file, 'a scenario needs events or raw files', 1, 'events'));
  if (s.kind === 'attack' && s.expect.must_fire.length === 0)
    problems.push(
      new ContentError(
        s.file,
        'an attack scenario must expect at least one alert',
        source.lineOf(['expect']),
        'expect.must_fire',
      ),
    );
  for (const [i, f] of (s.raw?.files ?? []).entries()) {
    const path = resolve(dirname(s.file), f);
    if (!isFile(path))
      problems.push(
        new ContentError(
          s.file,
          `file not found: ${path}`,
          source.lineOf(['raw', 'files', i]),
          `raw.files.${i}`,
        ),
      );
  }
  return problems;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
