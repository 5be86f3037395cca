import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Cluster } from '../cluster/index.js';
import { compilePipelineContent } from '../compile/pipelines.js';
import type { Resource } from '../compile/types.js';
import { defaultConfig, findConfigFile, type FiredrillConfig } from '../content/config.js';
import { contentPaths } from '../content/paths.js';
import type { Scenario, TemplateLibrary } from '../content/scenarios.js';
import { ContentError, contentErrorsOf } from '../errors.js';
import { loadConfig } from './config.js';
import { checkPipelines, validatePipelines } from './pipelines.js';
import { validateRules } from './rules.js';
import { checkScenarios, loadTemplates } from './scenarios.js';

export interface ContentValidation {
  /** The config file checked (none: the defaults). */
  config?: string;
  pipelines: number;
  templates: number;
  rules: { files: number; valid: number };
  scenarios: { files: number; valid: number };
  /** Every rule file's id, loaded or not. */
  ruleIds: string[];
  /** The scenarios that loaded and passed every check. */
  loadedScenarios: Scenario[];
  /** Every problem, `file:line: field: problem`. */
  errors: ContentError[];
  /** Files under the content folders that nothing reads. */
  warnings: ContentError[];
}

/**
 * Everything `firedrill validate` checks, every problem at once: the config, pipelines (against a cluster's
 * processors when given one), rules and their examples, record templates and scenarios, and the YAML files
 * nothing reads. One broken part never hides the problems of another.
 */
export async function validateContent(
  dir = '.',
  options: {
    configFile?: string;
    cluster?: Cluster;
    /** Scenario files or folders (default `<dir>/scenarios`, when there is one). */
    scenarios?: string[];
  } = {},
): Promise<ContentValidation> {
  const paths = contentPaths(dir);
  const errors: ContentError[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      errors.push(...contentErrorsOf(error));
      return undefined;
    }
  };
  const configFile = options.configFile ?? findConfigFile(dir);
  const config: FiredrillConfig = attempt(() => loadConfig(configFile)) ?? defaultConfig();

  const pipelines = await validatePipelines(paths.pipelines, options.cluster);
  errors.push(...pipelines.errors);
  const mappings: Resource[] | undefined = pipelines.errors.length
    ? undefined
    : compilePipelineContent(checkPipelines(paths.pipelines).content, {
        keepOriginal: config.keepEventOriginal,
        timezone: config.parameters.change_window.timezone,
      });

  const rules = validateRules({ dir: paths.detections, config, templates: mappings });
  errors.push(...rules.errors);

  const templates: TemplateLibrary | undefined = attempt(() => loadTemplates(paths.templates));
  const scenarioFiles = options.scenarios ?? (existsSync(paths.scenarios) ? [paths.scenarios] : []);
  const scenarios = checkScenarios(scenarioFiles, { ruleIds: new Set(rules.ids), templates });
  errors.push(...scenarios.errors);
  const failedScenarios = new Set(scenarios.errors.map((e) => e.file));

  return {
    config: configFile,
    pipelines: pipelines.pipelines,
    templates: pipelines.templates,
    rules: { files: rules.ids.length, valid: rules.valid },
    scenarios: {
      files: scenarios.scenarios.length + failedScenarios.size,
      valid: scenarios.scenarios.filter((s) => !failedScenarios.has(s.file)).length,
    },
    ruleIds: rules.ids,
    loadedScenarios: scenarios.scenarios.filter((s) => !failedScenarios.has(s.file)),
    errors,
    warnings: ignoredFiles(dir),
  };
}

/**
 * YAML files in `detections/` and `pipelines/` that no reader takes: a rule outside a pack folder, a
 * pipeline not named `pipeline.yaml`. They would otherwise be silently ignored.
 */
function ignoredFiles(dir: string): ContentError[] {
  const warnings: ContentError[] = [];
  const ignored = (file: string, why: string) => warnings.push(new ContentError(file, `ignored: ${why}`));
  const detections = join(dir, 'detections');
  for (const file of yamlIn(detections))
    ignored(file, `rules go in a pack folder (${join(detections, '<pack>', relative(detections, file))})`);
  for (const pack of foldersIn(detections))
    for (const sub of foldersIn(pack).filter((f) => !['examples'].includes(relative(pack, f))))
      for (const file of yamlIn(sub))
        ignored(file, 'rules are read from the pack folder itself, not sub-folders');
  const pipelines = join(dir, 'pipelines');
  for (const file of yamlIn(pipelines))
    ignored(file, `pipelines are read from ${join(pipelines, '<source>', 'pipeline.yaml')}`);
  for (const source of foldersIn(pipelines).filter((f) => !f.endsWith('templates')))
    for (const file of yamlIn(source).filter((f) => !f.endsWith('pipeline.yaml')))
      ignored(file, `only ${join(source, 'pipeline.yaml')} is read in this folder`);
  return warnings;
}

function entries(dir: string): string[] {
  return existsSync(dir) && statSync(dir).isDirectory()
    ? readdirSync(dir)
        .sort()
        .map((e) => join(dir, e))
    : [];
}

function yamlIn(dir: string): string[] {
  return entries(dir).filter((f) => /\.ya?ml$/.test(f) && statSync(f).isFile());
}

function foldersIn(dir: string): string[] {
  return entries(dir).filter((f) => statSync(f).isDirectory());
}
