import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  findScenarioFiles,
  readScenario,
  readTemplateFiles,
  type Scenario,
  type TemplateLibrary,
} from '../content/scenarios.js';
import { readEach, type SourceFile } from '../content/yaml.js';
import { ContentError, ContentErrors } from '../errors.js';

/** Reads and checks one scenario file; throws every problem at once. */
export function loadScenario(file: string): Scenario {
  const { value, source } = readScenario(file);
  const problems = checkScenario(value, source);
  if (problems.length) throw new ContentErrors(problems);
  return value;
}

/** Loads every scenario, collecting every file's problems before failing; names must be unique. */
export function loadScenarios(paths: string[]): Scenario[] {
  const { values: scenarios, errors: problems } = readEach(findScenarioFiles(paths), loadScenario);
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(s.name);
    if (other)
      problems.push(
        new ContentError(s.file, `scenario name '${s.name}' is also used by ${other}`, 1, 'name'),
      );
    seen.set(s.name, s.file);
  }
  if (problems.length) throw new ContentErrors(problems);
  return scenarios;
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
