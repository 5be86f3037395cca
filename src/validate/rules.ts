import { basename } from 'node:path';
import picomatch from 'picomatch';
import { compileRuleSet } from '../compile/rules/index.js';
import type { Resource } from '../compile/types.js';
import { readAttackTable, type AttackTable } from '../content/attack.js';
import type { FiredrillConfig } from '../content/config.js';
import { readEach } from '../content/yaml.js';
import {
  readDetections,
  readExamples,
  readRule,
  ruleFiles,
  ruleIdOf,
  type Detections,
  type LoadedRule,
  type RuleExamples,
} from '../content/rules.js';
import { ContentError, ContentErrors, contentErrorsOf } from '../errors.js';

export interface RuleValidationOptions {
  /** The detections directory (default `detections`). */
  dir?: string;
  config: FiredrillConfig;
  /**
   * The pipelines' compiled templates (`compilePipelines()`): the fields events really have. Without them
   * (pipelines that do not load) the fields rules read are not checked.
   */
  templates?: Resource[];
}

export interface RuleValidation {
  /** How many rule files compiled cleanly. */
  valid: number;
  /** The id of every rule file, loaded or not (scenarios are checked against them). */
  ids: string[];
  errors: ContentError[];
}

/**
 * Everything `firedrill validate` checks about rules: schema, condition language, parameter
 * references, durations, severity vs risk score, ATT&CK ids, duplicate ids, example files — and
 * that every field a rule reads is mapped in the indices its patterns cover.
 */
export function validateRules(options: RuleValidationOptions): RuleValidation {
  const dir = options.dir ?? 'detections';
  let files: string[] = [];
  const errors = problemsOf(() => (files = ruleFiles(dir)));
  // Each rule on its own: one file's schema error hides nothing about the others.
  const { values: rules, errors: fileErrors } = readEach(files, readRule);
  let attack: AttackTable | undefined;
  errors.push(...fileErrors, ...problemsOf(() => (attack = readAttackTable(dir))));
  const compilations = attack ? compileRuleSet({ rules, attack }, options.config) : [];
  const names = checkRuleNames(rules);
  // Rule ids come from file names, so examples are checked even when some rule does not load.
  const ruleIds = new Set(files.map(ruleIdOf));
  if (files.length) errors.push(...problemsOf(() => loadExamples(dir, ruleIds)));
  const indices = options.templates ? mappedIndices(options.templates) : undefined;
  for (const { loaded, errors: ruleErrors, fields } of compilations) {
    const { rule, source } = loaded;
    errors.push(...names.filter((e) => e.file === source.file), ...ruleErrors);
    rule.index.forEach((pattern, i) => {
      if (!indices) return;
      const covered = indices.filter((index) => picomatch.isMatch(index.sampleName, pattern));
      if (covered.length === 0) {
        errors.push(
          new ContentError(
            source.file,
            `no index template of the pipelines covers '${pattern}'`,
            source.lineOf(['index', i]),
            `index.${i}`,
          ),
        );
        return;
      }
      for (const [field, path] of fields) {
        if (!covered.some((index) => index.has(field)))
          errors.push(
            new ContentError(
              source.file,
              `'${field}' is not mapped in ${covered.map((c) => c.sampleName).join(', ')} (see docs/fields.md)`,
              source.lineOf(path),
              path.join('.'),
            ),
          );
      }
    });
  }
  const failed = new Set(errors.map((e) => e.file));
  return {
    valid: compilations.filter((c) => !failed.has(c.loaded.source.file)).length,
    ids: files.map(ruleIdOf),
    errors,
  };
}

/** A rule's id is its file name (examples and scenarios name rules by it) and unique across packs. */
export function checkRuleNames(rules: LoadedRule[]): ContentError[] {
  const errors: ContentError[] = [];
  const firstFile = new Map<string, string>();
  for (const { rule, source } of rules) {
    const problem = (message: string) =>
      errors.push(new ContentError(source.file, message, source.lineOf(['id']), 'id'));
    if (ruleIdOf(source.file) !== rule.id) problem(`must match the file name (${basename(source.file)})`);
    const other = firstFile.get(rule.id);
    if (other) problem(`duplicate rule id (also in ${other})`);
    else firstFile.set(rule.id, source.file);
  }
  return errors;
}

/** Reads a detections folder and checks its rule ids; throws every problem at once. */
export function loadDetections(dir = 'detections'): Detections {
  const detections = readDetections(dir);
  const errors = checkRuleNames(detections.rules);
  if (errors.length) throw new ContentErrors(errors);
  return detections;
}

/** Reads every example file and checks that each is for a rule in `ruleIds`; throws every problem at once. */
export function loadExamples(dir = 'detections', ruleIds?: Set<string>): RuleExamples[] {
  const { values, errors } = readExamples(dir);
  for (const { file, ruleId } of values)
    if (ruleIds && !ruleIds.has(ruleId))
      errors.push(
        new ContentError(file, `no rule '${ruleId}' for these examples (the file name is the rule id)`),
      );
  if (errors.length) throw new ContentErrors(errors);
  return values;
}

/** Runs a loader, returning the content problems it throws. */
function problemsOf(load: () => unknown): ContentError[] {
  try {
    load();
    return [];
  } catch (error) {
    return contentErrorsOf(error);
  }
}

interface MappedIndex {
  /** An index name the template applies to, e.g. `logs-aws.cloudtrail-default`. */
  sampleName: string;
  has(field: string): boolean;
}

/** Per index template: the fields its own and its component templates' mappings declare. */
function mappedIndices(templates: Resource[]): MappedIndex[] {
  const components = new Map(
    templates.filter((t) => t.kind === 'component_template').map((t) => [t.id, mappingOf(t.body)]),
  );
  return templates
    .filter((t) => t.kind === 'index_template')
    .flatMap((t) => {
      const body = t.body as { index_patterns?: string[]; composed_of?: string[] };
      const mappings = [...(body.composed_of ?? []).map((id) => components.get(id)), mappingOf(t.body)];
      const fields = new Map<string, string>();
      for (const m of mappings) if (m) collectFields(m, '', fields);
      const has = (field: string): boolean => {
        if (fields.has(field)) return true;
        // Keys inside a flattened / flat_object field are searchable without their own mapping.
        return [...fields].some(([name, type]) => OPAQUE_TYPES.has(type) && field.startsWith(`${name}.`));
      };
      return (body.index_patterns ?? []).map((p) => ({ sampleName: p.replace(/\*/g, 'default'), has }));
    });
}

const OPAQUE_TYPES = new Set(['flattened', 'flat_object']);

function mappingOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  return (body.template as { mappings?: Record<string, unknown> } | undefined)?.mappings;
}

function collectFields(mapping: Record<string, unknown>, prefix: string, into: Map<string, string>): void {
  const properties = (mapping.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, spec] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    if (spec.properties) collectFields(spec, `${path}.`, into);
    else if (spec.enabled !== false) into.set(path, String(spec.type ?? 'object'));
  }
}
