import { describe, expect, it } from 'vitest';
import { parseByteSize } from './cluster.js';

describe('parseByteSize', () => {
  it('reads the engines’ byte sizes, and nothing else', () => {
    expect(['100mb', '512kb', '1gb', '2048b', '2048', '1.5mb', ' 10MB '].map(parseByteSize)).toEqual([
      104_857_600, 524_288, 1_073_741_824, 2048, 2048, 1_572_864, 10_485_760,
    ]);
    expect(['', 'lots', '-1mb', '10 parsecs'].map(parseByteSize)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
