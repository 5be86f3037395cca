import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJdks, javaMajor, selectJdk, type Jdk } from './jdk.js';

const jdk17: Jdk = { home: '/jvm/17', version: '17.0.15', major: 17, source: 'PATH' };
const jdk25: Jdk = { home: '/jvm/25', version: '25.0.3', major: 25, source: '/usr/lib/jvm' };

describe('javaMajor', () => {
  it.each([
    ['1.8.0_392', 8],
    ['11.0.2', 11],
    ['17.0.15', 17],
    ['21', 21],
    ['25.0.3', 25],
    ['23-ea', 23],
  ])('%s → %i', (version, major) => expect(javaMajor(version)).toBe(major));
});

describe('selectJdk', () => {
  it('takes the first candidate inside the range', () => {
    expect(selectJdk([jdk17, jdk25], { min: 11 }, '2.19.1')).toBe(jdk17);
    expect(selectJdk([jdk17, jdk25], { min: 21 }, '3.8.0')).toBe(jdk25);
  });

  it('names the need, every JDK found and the fix when none fits', () => {
    expect(() => selectJdk([jdk17], { min: 21 }, '3.8.0')).toThrow(
      'OpenSearch 3.8.0 needs Java 21 or newer; found 17.0.15 at /jvm/17 (PATH); install a JDK 21+ or set FIREDRILL_JAVA_HOME',
    );
    expect(() => selectJdk([jdk25], { min: 11, max: 17 }, '1.3.20')).toThrow(
      'OpenSearch 1.3.20 needs Java 11 to 17; found 25.0.3 at /jvm/25 (/usr/lib/jvm); install a JDK 11–17 or set FIREDRILL_JAVA_HOME',
    );
  });

  it('says so when there is no Java at all', () => {
    expect(() => selectJdk([], { min: 21 }, '3.8.0')).toThrow(
      'OpenSearch 3.8.0 needs Java 21 or newer; found no Java installation; install a JDK 21+ or set FIREDRILL_JAVA_HOME',
    );
  });
});

describe('findJdks', () => {
  let root: string;
  const fakeJdk = async (name: string, version: string) => {
    const home = join(root, 'jvm', name);
    await mkdir(join(home, 'bin'), { recursive: true });
    await writeFile(join(home, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(home, 'release'), `IMPLEMENTOR="test"\nJAVA_VERSION="${version}"\n`);
    return home;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'firedrill-jdk-'));
    await fakeJdk('a-17', '17.0.15');
    await fakeJdk('b-25', '25.0.3');
    const home21 = await fakeJdk('c-21', '21.0.4');
    await mkdir(join(root, 'bin'));
    await symlink(join(home21, 'bin', 'java'), join(root, 'bin', 'java'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists JAVA_HOME, then PATH, then the install dirs, each JDK once', async () => {
    const env = { JAVA_HOME: join(root, 'jvm', 'b-25'), PATH: join(root, 'bin') };
    const jdks = await findJdks(env, { searchDirs: [join(root, 'jvm')] });
    expect(jdks.map((j) => [j.major, j.source])).toEqual([
      [25, 'JAVA_HOME'],
      [21, 'PATH'],
      [17, join(root, 'jvm')],
    ]);
  });

  it('uses FIREDRILL_JAVA_HOME alone when set', async () => {
    const env = { FIREDRILL_JAVA_HOME: join(root, 'jvm', 'a-17'), JAVA_HOME: join(root, 'jvm', 'b-25') };
    const jdks = await findJdks(env, { searchDirs: [join(root, 'jvm')] });
    expect(jdks).toEqual([
      { home: join(root, 'jvm', 'a-17'), version: '17.0.15', major: 17, source: 'FIREDRILL_JAVA_HOME' },
    ]);
  });

  it('refuses a FIREDRILL_JAVA_HOME without bin/java', async () => {
    await expect(findJdks({ FIREDRILL_JAVA_HOME: join(root, 'nothing') })).rejects.toThrow(
      `FIREDRILL_JAVA_HOME=${join(root, 'nothing')} is not a Java installation (no bin/java there)`,
    );
  });

  it('finds nothing when nothing points at a JDK', async () => {
    expect(await findJdks({ PATH: '' }, { searchDirs: [join(root, 'empty')] })).toEqual([]);
  });
});
