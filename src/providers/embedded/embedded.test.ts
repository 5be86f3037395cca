import { describe, expect, it } from 'vitest';
import { EmbeddedCluster, lastProblem } from './embedded.js';

describe('lastProblem', () => {
  it('picks the last error line, without stack frames or the log4j prefix', () => {
    const log = [
      '[2026-11-24T22:16:30,001][INFO ][o.o.n.Node               ] initializing ...',
      'java.lang.IllegalStateException: first problem',
      '\tat org.opensearch.node.Node.<init>(Node.java:1)',
      '[2026-11-24T22:16:38,689][WARN ][stderr                   ] Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
      '\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)',
      'Closed all nodes.',
    ];
    expect(lastProblem(log)).toBe('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space');
  });

  it('finds nothing in a clean log', () => {
    expect(lastProblem(['started', ''])).toBeUndefined();
  });
});

describe('EmbeddedCluster options', () => {
  it('refuses what it cannot run before starting anything', () => {
    expect(() => new EmbeddedCluster().withNodes(2)).toThrow('nodes must be 1 or 3, got 2');
    expect(() => new EmbeddedCluster().withVersion('3.8')).toThrow(/invalid OpenSearch version '3\.8'/);
    expect(() => new EmbeddedCluster().withHeap('lots')).toThrow(
      "invalid heap 'lots': expected e.g. 512m or 1g",
    );
    expect(() => new EmbeddedCluster().withHttpPort(65500)).toThrow(
      'HTTP port must be an integer from 1 to 65433, got 65500',
    );
  });
});
