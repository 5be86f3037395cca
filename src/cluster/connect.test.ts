import { describe, expect, it } from 'vitest';
import { connect, connectOptionsFromEnv, detectDistribution, parseTarget } from './connect.js';

describe('parseTarget', () => {
  it('moves credentials out of the URL', () => {
    expect(parseTarget('https://elastic:s%40cret@es.example:9200/')).toEqual({
      url: 'https://es.example:9200',
      username: 'elastic',
      password: 's@cret',
    });
  });

  it('rejects non-http schemes and garbage with one line', () => {
    expect(() => parseTarget('ftp://x')).toThrow(/scheme must be http or https/);
    expect(() => parseTarget('not a url')).toThrow(/invalid target URL 'not a url'/);
  });
});

describe('connectOptionsFromEnv', () => {
  it('takes target and credentials from FIREDRILL_* when not given', () => {
    const env = { FIREDRILL_TARGET: 'http://h:9200', FIREDRILL_API_KEY: 'k', FIREDRILL_INSECURE: 'true' };
    expect(connectOptionsFromEnv(undefined, env)).toMatchObject({
      target: 'http://h:9200',
      apiKey: 'k',
      insecure: true,
    });
  });

  it('explains how to name a target when there is none', () => {
    expect(() => connectOptionsFromEnv(undefined, {})).toThrow(/pass --target URL, set FIREDRILL_TARGET/);
  });
});

describe('detectDistribution', () => {
  it('tells OpenSearch from Elasticsearch by GET /', () => {
    expect(detectDistribution({ version: { number: '2.19.1', distribution: 'opensearch' } })).toBe(
      'opensearch',
    );
    expect(detectDistribution({ version: { number: '8.15.0' }, tagline: 'You Know, for Search' })).toBe(
      'elasticsearch',
    );
  });
});

describe('connect', () => {
  it('fails with one line naming the target when nothing listens', async () => {
    await expect(connect({ target: 'http://127.0.0.1:9' })).rejects.toThrow(
      /^cannot reach cluster at http:\/\/127\.0\.0\.1:9: connection refused/,
    );
  });
});
