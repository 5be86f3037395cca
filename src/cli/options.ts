import { Option, type Command } from 'commander';
import { connect, connectOptionsFromEnv, type Cluster, type ConnectOptions } from '../cluster/index.js';
import { FiredrillError } from '../errors.js';
import { checkDeploymentName, DEFAULT_DEPLOYMENT } from '../layout/index.js';
import { readRecordedCluster, type RecordedCluster } from '../providers/state.js';
import { parseDuration, parseTime } from '../time/index.js';

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
      .argParser(checkDeploymentName),
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

/** A bad value stops the command while the arguments are parsed — before any cluster is contacted — with one line. */
function parsedOption<T>(flags: string, description: string, parse: (text: string) => T): Option {
  const option = new Option(flags, description);
  return option.argParser((text: string) => {
    try {
      return parse(text);
    } catch (error) {
      throw new FiredrillError(`${option.long}: ${(error as Error).message}`, { exitCode: 2 });
    }
  });
}

/**
 * Resolves the target and connects; the URL falls back to FIREDRILL_TARGET, then the recorded local
 * cluster, whose CA and superuser apply where the environment names no credentials of its own.
 */
export async function connectTarget(options: TargetOptions): Promise<Cluster> {
  return connect(await targetOptions(options));
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
