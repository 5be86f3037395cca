import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { SOURCE_IDS } from '../../sources/index.js';
import { FiredrillError } from '../../errors.js';
import { DEFAULT_DEPLOYMENT } from '../../layout/index.js';
import { countsLine } from '../../reports/summary.js';
import { expandInputs, replay } from '../../replay/replay.js';
import { parseShiftTarget } from '../../replay/shift.js';
import {
  connectTarget,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';
import { printable } from '../../printable.js';

interface ReplayCommandOptions extends TargetOptions, DeploymentOptions {
  source: string;
  shiftTo?: string;
  marker?: string;
}

/** `firedrill replay`: raw cloud audit logs through the deployed pipelines, tagged with a run marker. */
export function replayCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('replay')
        .description(
          'ingest raw cloud audit log files (or folders) through the deployed pipelines, tagged with a run marker',
        )
        .argument(
          '<paths...>',
          'CloudTrail delivery files, JSON lines, JSON arrays, Azure {"records":[...]} files, gzip, or folders',
        ),
    ),
  )
    .addOption(
      new Option('--source <source>', 'the log source of every record')
        .choices([...SOURCE_IDS, 'auto'])
        .default('auto'),
    )
    .option(
      '--shift-to <time>',
      "move all timestamps by one offset so the latest event lands at 'now' or an ISO time",
    )
    .option('--marker <id>', 'the run marker (default: generated and printed)')
    .action(async (paths: string[], options: ReplayCommandOptions) => {
      let shiftTo: number | undefined;
      try {
        shiftTo = options.shiftTo === undefined ? undefined : parseShiftTarget(options.shiftTo);
      } catch (error) {
        throw new FiredrillError((error as Error).message, { exitCode: 2 });
      }
      const inputs = expandInputs(paths);
      const cluster = await connectTarget(options);
      const bar = process.stderr.isTTY
        ? new SingleBar({
            format: 'replaying [{bar}] {value}/{total} records',
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
      try {
        const result = await replay(cluster, inputs, {
          deployment: options.deployment,
          source: options.source,
          shiftTo,
          marker: options.marker,
          onProgress: (done, total) => {
            if (!bar) return;
            if (!bar.isActive) bar.start(total, 0);
            bar.update(done);
          },
        });
        bar?.stop();
        const out = process.stdout;
        out.write(`marker ${result.marker}\n`);
        if (result.offsetMs) out.write(`shifted timestamps by ${formatOffset(result.offsetMs)}\n`);
        for (const m of result.malformed)
          out.write(`  dead-lettered ${printable(m.file)}:${m.line}: ${printable(m.reason)}\n`);
        out.write(`${countsLine(result)}\n`);
        const deployment =
          options.deployment === DEFAULT_DEPLOYMENT ? '' : ` --deployment ${options.deployment}`;
        out.write(`remove with: firedrill cleanup --marker ${result.marker}${deployment}\n`);
      } finally {
        bar?.stop();
        await cluster.close();
      }
    });
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(ms) / 1000;
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const time = new Date(rest * 1000).toISOString().slice(11, 19);
  return `${sign}${days ? `${days}d ` : ''}${time}`;
}
