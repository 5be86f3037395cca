/**
 * Everything that checks content beyond one file's schema: references between files, rule fields the
 * pipelines map, processors a cluster has. The `load*` functions read (src/content) and check; the rest of
 * firedrill loads content through them.
 */
import { readContent, type Content } from '../content/index.js';
import { checkPipelines } from './pipelines.js';
import { loadDetections } from './rules.js';

export { checkConfig, loadConfig } from './config.js';
export {
  checkPipelines,
  loadPipelineContent,
  PORTABLE_PROCESSORS,
  validatePipelines,
  type PipelineValidation,
} from './pipelines.js';
export {
  checkRuleNames,
  loadDetections,
  loadExamples,
  validateRules,
  type RuleValidation,
  type RuleValidationOptions,
} from './rules.js';
export { checkScenario, loadScenario, loadScenarios, loadTemplates } from './scenarios.js';

/** The content a deploy compiles, read and checked (pipelines against the processors both distributions ship). */
export function loadContent(dir = '.'): Content {
  return readContent(dir, { pipelines: (path) => checkPipelines(path), detections: loadDetections });
}
