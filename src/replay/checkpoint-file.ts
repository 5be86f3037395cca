import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, FiredrillError } from '../errors.js';
import { stateDir } from '../providers/state.js';
import type { ReplayCheckpoint } from './replay.js';

/** What `firedrill replay --resume` needs: the run's inputs and options, and where it stopped. */
export interface ReplayRecord {
  paths: string[];
  deployment: string;
  source: string;
  /** The target's URL (never credentials), used when `--resume` is given none. */
  target?: string;
  checkpoint: ReplayCheckpoint;
}

/**
 * `.firedrill/replays/<marker>.json`: on the machine, not in the cluster, because it matters most when the
 * cluster takes no writes. Written after every batch (atomically), removed when the replay completes.
 */
export function checkpointFile(marker: string): string {
  return join(stateDir(), 'replays', `${encodeURIComponent(marker)}.json`);
}

export function saveReplay(record: ReplayRecord): void {
  const file = checkpointFile(record.checkpoint.marker);
  mkdirSync(join(stateDir(), 'replays'), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function loadReplay(marker: string): ReplayRecord {
  const file = checkpointFile(marker);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ReplayRecord;
  } catch (error) {
    throw new FiredrillError(
      `no stopped replay with marker '${marker}' to resume (${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error, exitCode: EXIT.usage },
    );
  }
}

export function forgetReplay(marker: string): void {
  rmSync(checkpointFile(marker), { force: true });
}
