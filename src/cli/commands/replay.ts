import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { FiredrillError, UsageError } from '../../errors.js';
import { SOURCE_IDS } from '../../sources/index.js';
import { DEFAULT_DEPLOYMENT } from '../../layout/index.js';
import { countsLine } from '../../reports/summary.js';
import { parseByteSize } from '../../cluster/index.js';
import { forgetReplay, loadReplay, saveReplay } from '../../replay/checkpoint-file.js';
import { expandInputs, replay, ReplayStopped, type ReplayCheckpoint } from '../../replay/replay.js';
import {
  connectTarget,
  timeOption,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';
import { printable } from '../../printable.js';

interface ReplayCommandOptions extends TargetOptions, DeploymentOptions {
  source: string;
  /** Epoch milliseconds. */
  shiftTo?: number;
  marker?: string;
  resume?: string;
  batchSize?: number;
  batchBytes?: number;
  retries?: number;
  json?: boolean;
}

/** How many dead-lettered records the summary names; the rest are counted by cause. */
const LISTED_DEAD_LETTERS = 50;

/** `firedrill replay`: raw cloud audit logs through the deployed pipelines, tagged with a run marker. */
export function replayCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('replay')
        .description(
          'ingest raw cloud audit log files (or folders) through the deployed pipelines, tagged with a run marker',
        )
        .argument(
          '[paths...]',
          'CloudTrail delivery files, JSON lines, JSON arrays, Azure {"records":[...]} files, gzip, or folders',
        ),
    ),
  )
    .addOption(
      new Option('--source <source>', 'the log source of every record')
        .choices([...SOURCE_IDS, 'auto'])
        .default('auto'),
    )
    .addOption(
      timeOption(
        '--shift-to <time>',
        'move all timestamps by one offset so the latest event lands then: now, an ISO 8601 time or a duration ago',
      ),
    )
    .option('--marker <id>', 'the run marker (default: generated and printed)')
    .option(
      '--resume <marker>',
      'go on with a stopped replay, from where it stopped (same files, same marker)',
    )
    .option('--batch-size <n>', 'records per bulk request (default 500)', positive('--batch-size'))
    .option(
      '--batch-bytes <size>',
      "bytes per bulk request, e.g. '8mb' (default 8mb, at most half the cluster's http.max_content_length)",
      byteSize,
    )
    .option(
      '--retries <n>',
      'attempts in a row without progress before the replay stops (default 10)',
      positive('--retries'),
    )
    .option('--json', 'print the result (marker, counts, dead letters, shift) as one JSON document')
    .action(async (paths: string[], options: ReplayCommandOptions) => {
      const resumed = options.resume ? loadReplay(options.resume) : undefined;
      if (resumed && (paths.length || options.marker || options.shiftTo))
        throw new UsageError(
          '--resume takes the files, marker and shift of the stopped replay: give no paths, --marker or --shift-to',
        );
      if (!resumed && !paths.length)
        throw new UsageError('replay needs files or folders (or --resume <marker>)');
      const inputs = expandInputs(resumed?.paths ?? paths);
      const deployment = resumed?.deployment ?? options.deployment;
      const source = resumed?.source ?? options.source;
      const cluster = await connectTarget({ ...options, target: options.target ?? resumed?.target });
      const record = (checkpoint: ReplayCheckpoint) =>
        saveReplay({
          paths: inputs.map((input) => ('file' in input ? input.file : input.name)),
          deployment,
          source,
          target: options.target ? cluster.info.url : resumed?.target,
          checkpoint,
        });
      const out = process.stdout;
      const bar = process.stderr.isTTY
        ? new SingleBar({
            format: 'replaying [{bar}] {value}/{total} records',
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
      const deploymentFlag = deployment === DEFAULT_DEPLOYMENT ? '' : ` --deployment ${deployment}`;
      try {
        const result = await replay(cluster, inputs, {
          deployment,
          source,
          shiftTo: options.shiftTo,
          marker: options.marker,
          resume: resumed?.checkpoint,
          ingest: {
            batchSize: options.batchSize,
            batchBytes: options.batchBytes,
            retry: options.retries === undefined ? undefined : { attempts: options.retries },
          },
          // The marker first: whatever happens next, the run can be found and removed.
          onStart: (start) => {
            // With --json the marker is in the document (and stopped replays still name it on stderr).
            if (!options.json)
              out.write(
                `marker ${start.marker}${resumed ? ` (resumed at record ${start.position.done + 1})` : ''}\n`,
              );
            record(start);
          },
          onCheckpoint: record,
          onProgress: (done, total) => {
            if (!bar) return;
            if (!bar.isActive) bar.start(total, 0);
            bar.update(done);
          },
        });
        bar?.stop();
        forgetReplay(result.marker);
        if (options.json) {
          out.write(`${JSON.stringify({ deployment, ...result }, null, 2)}\n`);
          return;
        }
        if (result.offsetMs) out.write(`shifted timestamps by ${formatOffset(result.offsetMs)}\n`);
        for (const m of result.malformed.slice(0, LISTED_DEAD_LETTERS))
          out.write(`  dead-lettered ${printable(m.file)}:${m.line}: ${printable(m.reason)}\n`);
        const unlisted = result.deadLettered - Math.min(result.malformed.length, LISTED_DEAD_LETTERS);
        if (unlisted > 0) {
          const causes = (result.causes ?? []).map((c) => `${c.cause} ${c.count}`).join(', ');
          out.write(`  … and ${unlisted} more dead letter(s)${causes ? `; all by cause: ${causes}` : ''}\n`);
        }
        out.write(`${countsLine(result)}\n`);
        out.write(`remove with: firedrill cleanup --marker ${result.marker}${deploymentFlag}\n`);
      } catch (error) {
        if (!(error instanceof ReplayStopped)) throw error;
        const target = options.target ? ` --target ${cluster.info.url}` : '';
        throw new FiredrillError(
          `${error.message}; nothing was lost: resume with 'firedrill replay --resume ${error.checkpoint.marker}${target}'`,
          { cause: error, exitCode: error.exitCode },
        );
      } finally {
        bar?.stop();
        await cluster.close();
      }
    });
}

function positive(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${flag}: '${text}' is not a whole number above 0`);
    return n;
  };
}

function byteSize(text: string): number {
  const bytes = parseByteSize(text);
  if (!bytes) throw new UsageError(`--batch-bytes: '${text}' is no size such as 8mb or 512kb`);
  return bytes;
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(ms) / 1000;
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const time = new Date(rest * 1000).toISOString().slice(11, 19);
  return `${sign}${days ? `${days}d ` : ''}${time}`;
}
