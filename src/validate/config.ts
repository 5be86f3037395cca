import { readConfig, type FiredrillConfig } from '../content/config.js';
import type { SourceFile } from '../content/yaml.js';
import { ContentError, ContentErrors } from '../errors.js';
import { SOURCES } from '../sources/index.js';

/** Reads the deployment config (src/content/config.ts) and checks what its schema cannot; throws every problem. */
export function loadConfig(file?: string): FiredrillConfig {
  const { config, source } = readConfig(file);
  const problems = source ? checkConfig(config, source) : [];
  if (problems.length) throw new ContentErrors(problems);
  return config;
}

/** An empty change window (start = end) matches nothing: almost certainly meant as all day (0–24). */
export function checkConfig(config: FiredrillConfig, source: SourceFile): ContentError[] {
  const problems: ContentError[] = [];
  const sigma = SOURCES.filter((s) => s.sigma).map((s) => s.id);
  for (const id of Object.keys(config.sigmaFields))
    if (!sigma.includes(id))
      problems.push(
        new ContentError(
          source.file,
          `not a log source with a Sigma field table (one of: ${sigma.join(', ')})`,
          source.lineOf(['sigma', 'fields', id]),
          `sigma.fields.${id}`,
        ),
      );
  const { hours, timezone } = config.parameters.change_window;
  if (hours.start === hours.end)
    problems.push(
      new ContentError(
        source.file,
        'start and end are the same hour (an empty window); use start 0, end 24 for all day',
        source.lineOf(['parameters', 'change_window', 'hours']),
        'parameters.change_window.hours',
      ),
    );
  if (timezone !== undefined && !isTimeZone(timezone))
    problems.push(
      new ContentError(
        source.file,
        `'${timezone}' is not an IANA time zone like Europe/Berlin or America/New_York`,
        source.lineOf(['parameters', 'change_window', 'timezone']),
        'parameters.change_window.timezone',
      ),
    );
  return problems;
}

/** Whether the runtime (and so the cluster's JVM, which uses the same IANA database) knows the zone. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
