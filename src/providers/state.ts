import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StartedCluster } from './types.js';

/** What `firedrill cluster up` records so later commands find the cluster without `--target`. */
export interface RecordedCluster {
  url: string;
  provider: string;
  distribution: string;
  version: string;
  nodes: number;
  /** The process (embedded JVM) or container id that `cluster down` stops. */
  pid?: number;
  containerId?: string;
  dataDir?: string;
  startedAt: string;
}

/** `.firedrill/` in the working directory, or FIREDRILL_STATE_DIR. */
export function stateDir(): string {
  return resolve(process.env.FIREDRILL_STATE_DIR ?? '.firedrill');
}

const clusterFile = () => join(stateDir(), 'cluster.json');

export async function readRecordedCluster(): Promise<RecordedCluster | undefined> {
  try {
    return JSON.parse(await readFile(clusterFile(), 'utf8')) as RecordedCluster;
  } catch {
    return undefined;
  }
}

export async function recordCluster(cluster: RecordedCluster): Promise<void> {
  await mkdir(stateDir(), { recursive: true });
  await writeFile(clusterFile(), `${JSON.stringify(cluster, null, 2)}\n`);
}

/** Records a freshly started cluster as the one later commands use; returns the record. */
export async function recordStartedCluster(started: StartedCluster): Promise<RecordedCluster> {
  const record: RecordedCluster = {
    url: started.url,
    provider: started.provider,
    distribution: started.distribution,
    version: started.version,
    nodes: started.nodes,
    pid: started.pid,
    containerId: started.containerId,
    dataDir: started.dataDir,
    startedAt: new Date().toISOString(),
  };
  await recordCluster(record);
  return record;
}

export async function forgetRecordedCluster(): Promise<void> {
  await rm(clusterFile(), { force: true });
}
