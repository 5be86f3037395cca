import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  /** Secured clusters: the CA's PEM file and the superuser (the file is readable by its owner only). */
  ca?: string;
  username?: string;
  password?: string;
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

/** Written readable by the owner only: it may hold the cluster's superuser password. */
export async function recordCluster(cluster: RecordedCluster): Promise<void> {
  await mkdir(stateDir(), { recursive: true, mode: 0o700 });
  await writeFile(clusterFile(), `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o600 });
  // A file that already existed keeps its old mode on write.
  await chmod(clusterFile(), 0o600);
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
    ca: started.ca,
    username: started.username,
    password: started.password,
    startedAt: new Date().toISOString(),
  };
  await recordCluster(record);
  return record;
}

export async function forgetRecordedCluster(): Promise<void> {
  await rm(clusterFile(), { force: true });
}
