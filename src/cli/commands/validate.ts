import { join } from 'node:path';
import { Command } from 'commander';
import { compilePipelines } from '../../compile/pipelines.js';
import { loadConfig } from '../../content/config.js';
import { ContentErrors } from '../../errors.js';
import { validateRules } from '../../validate/rules.js';

interface ValidateOptions {
  content: string;
  config?: string;
}

/** `firedrill validate`: every content problem at once, one `file:line: field: problem` line each; exit 2 if any. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('check pipelines, rules, examples and the config without touching a cluster')
    .option('--content <dir>', 'the directory holding pipelines/ and detections/', '.')
    .option('--config <file>', 'deployment config (default: firedrill.config.yaml if present)')
    .action((options: ValidateOptions) => {
      const config = loadConfig(options.config);
      const templates = compilePipelines(join(options.content, 'pipelines'), {
        keepOriginal: config.keepEventOriginal,
      });
      const rules = validateRules({ dir: join(options.content, 'detections'), config, templates });
      process.stdout.write(`rules: ${rules.valid} valid, ${rules.errors.length} problem(s)\n`);
      if (rules.errors.length) throw new ContentErrors(rules.errors);
    });
}
