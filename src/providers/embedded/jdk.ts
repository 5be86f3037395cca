import { execFile } from 'node:child_process';
import { access, readdir, readFile, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FiredrillError } from '../../errors.js';
import { describeRange, type JavaRange } from './versions.js';

/** A Java installation and where we heard of it (shown in errors so users know what to change). */
export interface Jdk {
  home: string;
  /** Full version, e.g. `17.0.15`. */
  version: string;
  /** Feature release, e.g. 17. */
  major: number;
  source: string;
}

/** Where JDKs are installed by package managers when nothing points at them. */
export const JDK_SEARCH_DIRS = ['/usr/lib/jvm', '/Library/Java/JavaVirtualMachines'];

/** `1.8.0_392` → 8, `17.0.15` → 17, `25` → 25. */
export function javaMajor(version: string): number {
  const [first, second] = version.split(/[.+_-]/);
  const major = Number.parseInt(first ?? '', 10);
  return major === 1 ? Number.parseInt(second ?? '', 10) : major;
}

/**
 * Picks the first JDK in the range. FIREDRILL_JAVA_HOME (or `withJavaHome`) is a demand, not a hint,
 * so when the candidates came from it they are the only ones considered.
 */
export function selectJdk(candidates: Jdk[], range: JavaRange, opensearchVersion: string): Jdk {
  const fits = candidates.find(
    (jdk) => jdk.major >= range.min && (range.max === undefined || jdk.major <= range.max),
  );
  if (fits) return fits;
  const need = `OpenSearch ${opensearchVersion} needs ${describeRange(range)}`;
  const fix = `install a JDK ${range.max === undefined ? `${range.min}+` : `${range.min}–${range.max}`} or set FIREDRILL_JAVA_HOME`;
  if (candidates.length === 0) return fail(`${need}; found no Java installation; ${fix}`);
  const found = candidates.map((jdk) => `${jdk.version} at ${jdk.home} (${jdk.source})`).join(', ');
  return fail(`${need}; found ${found}; ${fix}`);
}

function fail(message: string): never {
  throw new FiredrillError(message);
}

/**
 * Every Java installation we can find, most explicit first: an explicit home (withJavaHome or
 * FIREDRILL_JAVA_HOME) alone, else JAVA_HOME, `java` on PATH, then the usual install directories.
 */
export async function findJdks(
  env: NodeJS.ProcessEnv = process.env,
  options: { javaHome?: string; searchDirs?: string[] } = {},
): Promise<Jdk[]> {
  const explicit = options.javaHome ?? env.FIREDRILL_JAVA_HOME;
  if (explicit) {
    const source = options.javaHome ? 'withJavaHome' : 'FIREDRILL_JAVA_HOME';
    const jdk = await inspectJdk(explicit, source);
    if (!jdk)
      throw new FiredrillError(`${source}=${explicit} is not a Java installation (no bin/java there)`);
    return [jdk];
  }
  const homes: { home: string; source: string }[] = [];
  if (env.JAVA_HOME) homes.push({ home: env.JAVA_HOME, source: 'JAVA_HOME' });
  const onPath = await javaOnPath(env.PATH ?? '');
  if (onPath) homes.push({ home: onPath, source: 'PATH' });
  for (const dir of options.searchDirs ?? JDK_SEARCH_DIRS) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries.sort()) {
      const home = join(dir, entry);
      homes.push({ home: dir.startsWith('/Library') ? join(home, 'Contents', 'Home') : home, source: dir });
    }
  }
  const seen = new Set<string>();
  const jdks: Jdk[] = [];
  for (const { home, source } of homes) {
    const real = await realpath(home).catch(() => undefined);
    if (!real || seen.has(real)) continue;
    seen.add(real);
    const jdk = await inspectJdk(home, source);
    if (jdk) jdks.push(jdk);
  }
  return jdks;
}

/** The JDK home of the first `java` on PATH (symlinks resolved, as in /usr/bin/java → /etc/alternatives/...). */
async function javaOnPath(path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const java = await realpath(join(dir, 'java')).catch(() => undefined);
    if (java) return dirname(dirname(java));
  }
  return undefined;
}

/** Reads `release` (cheap); falls back to running `java -version`. */
export async function inspectJdk(home: string, source: string): Promise<Jdk | undefined> {
  const java = join(home, 'bin', 'java');
  if (
    !(await access(java).then(
      () => true,
      () => false,
    ))
  )
    return undefined;
  const release = await readFile(join(home, 'release'), 'utf8').catch(() => '');
  let version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
  if (!version) {
    const out = await promisify(execFile)(java, ['-version']).catch(() => undefined);
    version = out ? /version "([^"]+)"/.exec(out.stderr)?.[1] : undefined;
  }
  if (!version) return undefined;
  return { home, version, major: javaMajor(version), source };
}
