import { join } from 'node:path';
import { Command } from 'commander';
import type { Cluster } from '../../cluster/index.js';
import { compilePipelines } from '../../compile/index.js';
import { ContentErrors } from '../../errors.js';
import { loadConfig, validatePipelines, validateRules } from '../../validate/index.js';
import { connectTarget, withTargetOptions, type TargetOptions } from '../options.js';

interface ValidateOptions extends TargetOptions {
  content: string;
  config?: string;
}

/** `firedrill validate`: every content problem at once, one `file:line: field: problem` line each; exit 2 if any. */
export function validateCommand(): Command {
  return withTargetOptions(
    new Command('validate').description(
      'check pipelines, rules, examples and the config; with --target also against that cluster (read-only)',
    ),
  )
    .option('--content <dir>', 'the directory holding pipelines/ and detections/', '.')
    .option('--config <file>', 'deployment config (default: firedrill.config.yaml if present)')
    .action(async (options: ValidateOptions) => {
      const config = loadConfig(options.config);
      const pipelines = await checkPipelines(join(options.content, 'pipelines'), options);
      process.stdout.write(
        `pipelines: ${pipelines.pipelines} pipeline(s), ${pipelines.templates} template(s), ${pipelines.errors.length} problem(s)\n`,
      );
      if (pipelines.errors.length) throw new ContentErrors(pipelines.errors);
      const templates = compilePipelines(join(options.content, 'pipelines'), {
        keepOriginal: config.keepEventOriginal,
      });
      const rules = validateRules({ dir: join(options.content, 'detections'), config, templates });
      process.stdout.write(`rules: ${rules.valid} valid, ${rules.errors.length} problem(s)\n`);
      if (rules.errors.length) throw new ContentErrors(rules.errors);
    });
}

/** The pipeline part of `validate`; only an explicit --target is contacted. */
async function checkPipelines(dir: string, options: TargetOptions): ReturnType<typeof validatePipelines> {
  if (!options.target) return validatePipelines(dir);
  const cluster: Cluster = await connectTarget(options);
  try {
    return await validatePipelines(dir, cluster);
  } finally {
    await cluster.close();
  }
}
