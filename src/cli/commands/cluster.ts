import { Command, Option } from 'commander';
import { connect, connectOptionsFromEnv } from '../../cluster/index.js';
import { describeError, EXIT, FiredrillError, UsageError } from '../../errors.js';
import {
  forgetRecordedCluster,
  PROVIDERS,
  providerFor,
  readRecordedCluster,
  recordStartedCluster,
  stopEmbeddedCluster,
  type RecordedCluster,
} from '../../providers/index.js';
import { loadTestcontainers } from '../../providers/testcontainers/load.js';
import { recordedCredentials, wholeNumber } from '../options.js';

/** `firedrill cluster up|status|down`: a local cluster that later commands find without `--target`. */
export function clusterCommand(): Command {
  return new Command('cluster')
    .description('start, inspect and stop the cluster other commands use by default')
    .addCommand(upCommand())
    .addCommand(statusCommand())
    .addCommand(downCommand());
}

interface UpOptions {
  provider: string;
  distribution: string;
  version?: string;
  nodes: string;
  port: number;
  url?: string;
  json?: boolean;
  security?: boolean;
}

function upCommand(): Command {
  return (
    new Command('up')
      .description('start a cluster in the background, wait until it is healthy and remember it')
      .addOption(new Option('--provider <name>', 'how to run it').choices(PROVIDERS).default('embedded'))
      .addOption(
        new Option('--distribution <name>', 'the search distribution')
          .choices(['opensearch', 'elasticsearch'])
          .default('opensearch'),
      )
      // `--version` itself is the program's (commander reads program options after subcommands too).
      .option('--version <version>', 'distribution version, e.g. 2.19.1 or 3.8.0 (embedded default: 2.19.1)')
      .addOption(new Option('--nodes <n>', 'number of nodes').choices(['1', '3']).default('1'))
      .option(
        '--port <port>',
        'HTTP port of the first node (node i uses port + i)',
        wholeNumber('--port'),
        9200,
      )
      .option('--url <url>', 'with --provider external: the URL of a cluster you run')
      .option(
        '--security',
        'TLS (a new local CA) and authentication (a superuser with a random password; see `cluster status --json`)',
      )
      .option('--json', 'print the recorded cluster as JSON')
      .action(async (options: UpOptions) => {
        const recorded = await readRecordedCluster();
        if (recorded && (await reachable(recorded)))
          throw new FiredrillError(
            `the ${recorded.provider} cluster at ${recorded.url} is already up; run \`firedrill cluster down\` first`,
          );
        if (options.provider === 'external' && !options.url)
          throw new UsageError('--provider external needs --url <url> of the cluster');
        const port = options.port;
        const provider = providerFor(options.provider, {
          distribution: options.distribution,
          version: options.version,
          nodes: Number(options.nodes),
          httpPort: options.provider === 'external' ? undefined : port,
          url: options.url,
          detached: true,
          security: options.security,
        });
        process.stderr.write(`starting ${options.distribution} with the ${options.provider} provider…\n`);
        const started = await provider.start();
        const record = await recordStartedCluster(started);
        process.stdout.write(
          options.json
            ? `${JSON.stringify(record, null, 2)}\n`
            : `${started.distribution} ${started.version} (${started.provider}, ${started.nodes} node(s)) is up at ${started.url}${securedNote(record)}\n`,
        );
      })
  );
}

function statusCommand(): Command {
  return new Command('status')
    .description(
      'show whether the cluster from `cluster up` is reachable, and its distribution, version, nodes and health',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const recorded = await readRecordedCluster();
      // `status` is a check: no cluster up is its failed verdict.
      if (!recorded)
        throw new FiredrillError('no cluster recorded; start one with `firedrill cluster up`', {
          exitCode: EXIT.failed,
        });
      let status;
      try {
        const cluster = await connect(connectRecorded(recorded));
        try {
          const health = await cluster.health();
          status = {
            ...recorded,
            reachable: true,
            distribution: cluster.info.distribution,
            version: cluster.info.version,
            nodes: health.number_of_nodes,
            health: health.status,
          };
        } finally {
          await cluster.close();
        }
      } catch (error) {
        throw new FiredrillError(
          `the ${recorded.provider} cluster recorded at ${recorded.url} is not reachable (${describeError(error)}); run \`firedrill cluster down\` to forget it`,
          { cause: error, exitCode: EXIT.failed },
        );
      }
      process.stdout.write(
        options.json
          ? `${JSON.stringify(status, null, 2)}\n`
          : `${status.distribution} ${status.version} at ${status.url} (${status.provider}${status.pid ? `, pid ${status.pid}` : ''}): ${status.health}, ${status.nodes} node(s), up since ${status.startedAt}${securedNote(recorded)}\n`,
      );
    });
}

function downCommand(): Command {
  return new Command('down')
    .description(
      'stop the cluster `cluster up` started and forget it (an external cluster is only forgotten)',
    )
    .action(async () => {
      const recorded = await readRecordedCluster();
      if (!recorded) {
        process.stdout.write('no cluster recorded; nothing to stop\n');
        return;
      }
      if (recorded.provider === 'embedded') await stopEmbeddedCluster(recorded.pid, recorded.dataDir);
      if (recorded.provider === 'testcontainers' && recorded.containerId) {
        const { stopTestcontainersCluster } = await loadTestcontainers();
        await stopTestcontainersCluster(recorded.containerId);
      }
      await forgetRecordedCluster();
      process.stdout.write(
        recorded.provider === 'external'
          ? `forgot the external cluster at ${recorded.url} (left running)\n`
          : `stopped the ${recorded.provider} cluster at ${recorded.url}\n`,
      );
    });
}

/** Where a secured cluster's CA is, and who the superuser is; the password only ever goes out as JSON. */
function securedNote(recorded: RecordedCluster): string {
  if (!recorded.ca) return '';
  return ` (TLS: trust ${recorded.ca}; user ${recorded.username}, password in \`firedrill cluster status --json\`)`;
}

/** The recorded cluster with its own CA and superuser (the environment's credentials still win). */
function connectRecorded(recorded: RecordedCluster) {
  return connectOptionsFromEnv(recorded.url, process.env, {}, recordedCredentials(recorded));
}

async function reachable(recorded: RecordedCluster): Promise<boolean> {
  try {
    const cluster = await connect(connectRecorded(recorded));
    await cluster.close();
    return true;
  } catch {
    return false;
  }
}
