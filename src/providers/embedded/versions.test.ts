import { describe, expect, it } from 'vitest';
import { describeRange, javaRangeFor, runnerVersion } from './versions.js';

describe('runnerVersion', () => {
  it('maps an OpenSearch version to the runner artifact version', () => {
    expect(runnerVersion('2.19.1')).toBe('2.19.1.0');
    expect(runnerVersion('3.8.0')).toBe('3.8.0.0');
  });

  it.each(['2.19', '2.19.1.0', 'latest', ''])('refuses %j and lists the versions known to resolve', (v) => {
    expect(() => runnerVersion(v)).toThrow(
      /expected X\.Y\.Z.*known to resolve: 1\.1\.0 … 2\.19\.1, 3\.0\.0 … 3\.5\.0, 3\.8\.0/,
    );
  });
});

describe('javaRangeFor', () => {
  it('runs 2.x on Java 11 and newer, 1.x on Java 11 to 17', () => {
    expect(javaRangeFor('2.19.1')).toEqual({ min: 11 });
    expect(javaRangeFor('1.3.20')).toEqual({ min: 11, max: 17 });
  });

  it('needs Java 21 or newer for 3.x', () => {
    expect(javaRangeFor('3.0.0')).toEqual({ min: 21 });
    expect(javaRangeFor('3.8.0')).toEqual({ min: 21 });
  });

  it('describes ranges for error messages', () => {
    expect(describeRange({ min: 21 })).toBe('Java 21 or newer');
    expect(describeRange({ min: 11, max: 17 })).toBe('Java 11 to 17');
  });
});
