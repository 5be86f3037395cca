import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { readAttackTable } from '../../content/attack.js';
import { FiredrillError, EXIT } from '../../errors.js';
import { exportSigma, writeExported } from '../../sigma/export.js';
import { importSigma, writeImported } from '../../sigma/import.js';
import { formatRefusal, type RefusedRule } from '../../sigma/refusal.js';
import { loadConfig } from '../../validate/index.js';

interface ImportOptions {
  out: string;
  config?: string;
  detections?: string;
}

interface ExportOptions {
  out: string;
  config?: string;
  detections: string;
}

/** `firedrill sigma import|export` (docs/sigma.md). */
export function sigmaCommand(): Command {
  const sigma = new Command('sigma').description(
    'convert Sigma rules to firedrill rules and back (docs/sigma.md)',
  );
  sigma
    .command('import')
    .description(
      'write Sigma rules and correlations as firedrill rules into a pack folder; refuse what is not exact',
    )
    .argument('<inputs...>', 'Sigma files or folders (*.yml, *.yaml; multi-document files are read)')
    .requiredOption('--out <dir>', 'the pack folder to write, e.g. detections/sigma')
    .option(
      '--config <file>',
      'deployment config with sigma.fields rows (default: firedrill.config.yaml if present)',
    )
    .option(
      '--detections <dir>',
      'the detections folder whose attack/techniques.yaml names the ATT&CK ids (default: the parent of --out, else detections)',
    )
    .action((inputs: string[], options: ImportOptions) => {
      const config = loadConfig(options.config);
      const detections =
        options.detections ??
        (existsSync(join(dirname(options.out), 'attack', 'techniques.yaml'))
          ? dirname(options.out)
          : 'detections');
      const result = importSigma(inputs, { attack: readAttackTable(detections), fields: config.sigmaFields });
      const written = writeImported(result, options.out);
      process.stdout.write(
        `sigma import: ${written.length} rule(s) written to ${options.out}, ${result.refused.length} refused\n`,
      );
      report(result.refused);
    });
  sigma
    .command('export')
    .description('write firedrill rules as Sigma rules and correlations in raw provider field names')
    .argument('[rules...]', 'rule ids or globs (default: every rule)')
    .requiredOption('--out <dir>', 'the folder to write the Sigma files to')
    .option('--detections <dir>', 'the detections folder', 'detections')
    .option(
      '--config <file>',
      'deployment config with sigma.fields rows (default: firedrill.config.yaml if present)',
    )
    .action((rules: string[], options: ExportOptions) => {
      const config = loadConfig(options.config);
      const result = exportSigma(options.detections, rules, { fields: config.sigmaFields });
      const written = writeExported(result, options.out);
      process.stdout.write(
        `sigma export: ${written.length} file(s) written to ${options.out}, ${new Set(result.refused.map((r) => r.rule)).size} rule(s) refused\n`,
      );
      report(result.refused);
    });
  return sigma;
}

/** One line per refused rule on stderr; exit 1 when any was refused (the others are written). */
function report(refused: RefusedRule[]): void {
  for (const r of refused) process.stderr.write(`${formatRefusal(r)}\n`);
  const rules = new Set(refused.map((r) => `${r.file}\0${r.rule ?? r.line}`)).size;
  if (refused.length)
    throw new FiredrillError(`${rules} rule(s) refused: nothing was approximated; the others were written`, {
      exitCode: EXIT.failed,
    });
}
