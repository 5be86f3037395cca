import { Command, CommanderError } from 'commander';
import { NoAnswer } from '../cluster/errors.js';
import { colorsFor } from './colors.js';
import { redact, rememberSecret } from '../redact.js';
import { describeError, EXIT, FiredrillError } from '../errors.js';
import { registerCommands } from './commands/index.js';
import { setVerbose } from './options.js';

/** Builds the `firedrill` program; exported so tests can drive it without a subprocess. */
export function buildProgram(): Command {
  const program = new Command('firedrill')
    .description('Detection-as-code for Elasticsearch and OpenSearch')
    .version(process.env.npm_package_version ?? '0.1.0')
    .option('--verbose', 'print stack traces and debug detail')
    .showHelpAfterError('(add --help for usage)')
    // Program options come before the subcommand, so `cluster up --version 3.8.0` means the engine's version.
    .enablePositionalOptions()
    .exitOverride();
  registerCommands(program);
  withVerboseEverywhere(program);
  return program;
}

/**
 * `--verbose` is accepted after any subcommand too (main() reads it from argv), and every subcommand's usage
 * errors reach main() (commander would exit 1 itself), so they exit with the usage code.
 */
function withVerboseEverywhere(command: Command): void {
  for (const sub of command.commands) {
    sub.option('--verbose', 'print stack traces and debug detail').exitOverride();
    withVerboseEverywhere(sub);
  }
}

/**
 * Runs the CLI: one error line and a non-zero exit on failure, stack traces only with --verbose. Exit codes
 * follow the contract in src/errors.ts (`EXIT`).
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  setVerbose(verbose);
  // Known before any command runs, so even an error raised before connecting cannot print them.
  rememberSecret(process.env.FIREDRILL_PASSWORD, process.env.FIREDRILL_USERNAME);
  rememberSecret(process.env.FIREDRILL_API_KEY);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed usage errors; help and version exit 0.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.stderr.write(`${colorsFor(process.stderr).red('firedrill: error:')} ${describeError(error)}\n`);
    if (verbose && error instanceof Error) process.stderr.write(`${redact(error.stack ?? '')}\n`);
    if (verbose && error instanceof Error && error.cause instanceof Error)
      process.stderr.write(`caused by: ${redact(error.cause.stack ?? '')}\n`);
    process.exitCode = exitCodeOf(error);
  }
}

/** A request that got no answer means the cluster went away; other errors carry their code, bugs are `error`. */
function exitCodeOf(error: unknown): number {
  if (error instanceof NoAnswer) return EXIT.unreachable;
  return error instanceof FiredrillError ? error.exitCode : EXIT.error;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) await main(process.argv);
