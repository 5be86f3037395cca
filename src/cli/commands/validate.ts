import { Command } from 'commander';
import { EXIT, type ContentError } from '../../errors.js';
import { validateContent, type ContentValidation } from '../../validate/content.js';
import { configFileFor, connectTarget, withTargetOptions, type TargetOptions } from '../options.js';

interface ValidateOptions extends TargetOptions {
  content: string;
  config?: string;
  json?: boolean;
}

/**
 * `firedrill validate`: every content problem at once — config, pipelines, rules, examples, templates,
 * scenarios — one `file:line: field: problem` line each, and the YAML files nothing reads; exit 1 if any problem.
 */
export function validateCommand(): Command {
  return withTargetOptions(
    new Command('validate').description(
      'check the config, pipelines, rules, examples and scenarios; with --target also against that cluster (read-only)',
    ),
  )
    .option('--content <dir>', 'the directory holding pipelines/, detections/ and scenarios/', '.')
    .option('--config <file>', 'deployment config (default: found from --content or the working directory)')
    .option('--json', 'print the result as JSON')
    .action(async (options: ValidateOptions) => {
      const configFile = configFileFor(options);
      const cluster = options.target ? await connectTarget(options) : undefined;
      let result: ContentValidation;
      try {
        result = await validateContent(options.content, { configFile, cluster });
      } finally {
        await cluster?.close();
      }
      process.stdout.write(
        options.json ? `${JSON.stringify(validationJson(result), null, 2)}\n` : text(result),
      );
      if (result.errors.length) process.exitCode = EXIT.failed;
    });
}

function text(r: ContentValidation): string {
  const lines = [
    ...r.errors.map((e) => e.message),
    ...r.warnings.map((w) => `${w.file}: warning: ${w.problem}`),
    `config: ${r.config ?? 'none (the defaults)'}`,
    `pipelines: ${r.pipelines} pipeline(s), ${r.templates} template(s)`,
    `rules: ${r.rules.valid} of ${r.rules.files} valid`,
    `scenarios: ${r.scenarios.valid} of ${r.scenarios.files} valid`,
    `${r.errors.length} problem(s), ${r.warnings.length} warning(s)`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The JSON shape of `validate --json`: counts, and each problem as file, line, field, problem. */
export function validationJson(r: ContentValidation) {
  const problem = (e: ContentError) => ({ file: e.file, line: e.line, field: e.field, problem: e.problem });
  return {
    valid: r.errors.length === 0,
    config: r.config ?? null,
    pipelines: r.pipelines,
    templates: r.templates,
    rules: r.rules,
    scenarios: r.scenarios,
    errors: r.errors.map(problem),
    warnings: r.warnings.map(problem),
  };
}
