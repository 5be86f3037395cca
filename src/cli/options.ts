import { Option, type Command } from 'commander';
import { connect, connectOptionsFromEnv, type Cluster, type ConnectOptions } from '../cluster/index.js';
import { findConfigFile, type FiredrillConfig } from '../content/config.js';
import { EXIT, FiredrillError, UsageError } from '../errors.js';
import { checkDeploymentName, DEFAULT_DEPLOYMENT } from '../layout/index.js';
import { readRecordedCluster, type RecordedCluster } from '../providers/state.js';
import { parseDuration, parseTime } from '../time/index.js';
import { loadConfig } from '../validate/index.js';

export interface TargetOptions {
  target?: string;
  insecure?: boolean;
}

export interface DeploymentOptions {
  deployment: string;
}

/** Adds `--target` and `--insecure` to a command that talks to a cluster. */
export function withTargetOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--target <url>',
        'cluster URL (default: FIREDRILL_TARGET, or the cluster from `firedrill cluster up`)',
      ),
    )
    .addOption(new Option('--insecure', 'skip TLS certificate verification'));
}

/** Adds `--deployment NAME`: which copy of the content in the cluster a command works on (src/layout/). */
export function withDeploymentOption(command: Command): Command {
  return command.addOption(
    new Option('--deployment <name>', 'the deployment whose pipelines, indices and rules are used')
      .env('FIREDRILL_DEPLOYMENT')
      .default(DEFAULT_DEPLOYMENT)
      .argParser(usageChecked('--deployment', checkDeploymentName)),
  );
}

/** An option taking a duration (`90s`, `5m`, `1h30m`), parsed to milliseconds; `fallback` is its default. */
export function durationOption(flags: string, description: string, fallback?: string): Option {
  const option = parsedOption(flags, description, parseDuration);
  return fallback === undefined ? option : option.default(parseDuration(fallback), fallback);
}

/** An option taking a time (`now`, ISO 8601, or a duration ago), parsed to epoch milliseconds. */
export function timeOption(flags: string, description: string): Option {
  return parsedOption(flags, description, (text) => parseTime(text));
}

function parsedOption<T>(flags: string, description: string, parse: (text: string) => T): Option {
  const option = new Option(flags, description);
  return option.argParser(usageChecked(option.long ?? flags, parse));
}

/**
 * A flag's parser whose bad values stop the command while the arguments are parsed — before any cluster is
 * contacted — with one line naming the flag and the usage exit code.
 */
export function usageChecked<T>(flag: string, parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  };
}

/** A whole number of at least `min` (`--limit abc` stops with the usage code, it never becomes NaN). */
export function wholeNumber(flag: string, min = 1): (text: string) => number {
  return usageChecked(flag, (text) => {
    const n = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min)
      throw new Error(`'${text}' is not a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return n;
  });
}

/**
 * Resolves the target and connects; the URL falls back to FIREDRILL_TARGET, then the recorded local
 * cluster, whose CA and superuser apply where the environment names no credentials of its own.
 */
export async function connectTarget(options: TargetOptions): Promise<Cluster> {
  return connectCluster(await targetOptions(options));
}

/**
 * Connects; a cluster that cannot be reached exits 69, one that refuses the credentials or TLS 77 (src/cluster/errors.ts
 * classifies them). What is neither — not a cluster at all — is unreachable as far as the command is concerned.
 */
export async function connectCluster(options: ConnectOptions): Promise<Cluster> {
  try {
    return await connect(options);
  } catch (error) {
    if (error instanceof FiredrillError && error.exitCode !== EXIT.error) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FiredrillError(message, { cause: error, exitCode: EXIT.unreachable });
  }
}

let verboseOutput = false;

/** main() turns on `--verbose` detail for the whole run. */
export function setVerbose(on: boolean): void {
  verboseOutput = on;
}

/** A line of detail on stderr, only with `--verbose`. */
export function verbose(line: string): void {
  if (verboseOutput) process.stderr.write(`firedrill: ${line}\n`);
}

/**
 * The config a command uses: `--config FILE`, else `<content>/firedrill.config.yaml`, else the first one from
 * the working directory up to the repository root; `--verbose` says which.
 */
export function commandConfig(options: { config?: string; content?: string }): FiredrillConfig {
  return loadConfig(configFileFor(options));
}

/** The file `commandConfig` reads (undefined: none found, the defaults). */
export function configFileFor(options: { config?: string; content?: string }): string | undefined {
  const file = options.config ?? findConfigFile(options.content ?? '.');
  verbose(`config: ${file ?? 'none found, using the defaults (docs/config.md)'}`);
  return file;
}

export async function targetOptions(options: TargetOptions): Promise<ConnectOptions> {
  const explicit = options.target || process.env.FIREDRILL_TARGET || undefined;
  const recorded = explicit ? undefined : await readRecordedCluster();
  return connectOptionsFromEnv(
    explicit ?? recorded?.url,
    process.env,
    { insecure: options.insecure },
    recorded ? recordedCredentials(recorded) : {},
  );
}

/** What `cluster up` recorded about reaching a secured cluster, as connect options. */
export function recordedCredentials(recorded: RecordedCluster): Partial<ConnectOptions> {
  return { caFile: recorded.ca, username: recorded.username, password: recorded.password };
}
