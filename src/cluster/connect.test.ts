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
    // The URL is echoed without its user info.
    expect(() => parseTarget('https://elastic:hunter22@[bad')).toThrow(
      /invalid target URL 'https:\/\/\*\*\*@\[bad'/,
    );
    expect(() => parseTarget('elastic:hunter22@es:9200')).toThrow(/invalid target URL '\*\*\*@es:9200'/);
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

  it('uses the recorded cluster’s CA and superuser only where nothing else names credentials', () => {
    const recorded = { caFile: '/state/ca.pem', username: 'admin', password: 'recorded-pw' };
    expect(connectOptionsFromEnv('https://h:9200', {}, {}, recorded)).toMatchObject(recorded);
    // A user from the environment never borrows the recorded password; the recorded CA still applies.
    expect(
      connectOptionsFromEnv(
        'https://h:9200',
        { FIREDRILL_USERNAME: 'engine', FIREDRILL_PASSWORD: 'e' },
        {},
        recorded,
      ),
    ).toMatchObject({ username: 'engine', password: 'e', caFile: '/state/ca.pem' });
    expect(connectOptionsFromEnv('https://u:p@h:9200', {}, {}, recorded)).toMatchObject({
      username: 'u',
      password: 'p',
    });
    // An API key or a client certificate replaces the recorded basic auth.
    const keyed = connectOptionsFromEnv('https://h:9200', { FIREDRILL_API_KEY: 'k' }, {}, recorded);
    expect(keyed.username).toBeUndefined();
    const cert = { FIREDRILL_CLIENT_CERT: '/c.pem', FIREDRILL_CLIENT_KEY: '/k.pem' };
    expect(connectOptionsFromEnv('https://h:9200', cert, {}, recorded)).toMatchObject({
      username: undefined,
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
  });

  it('refuses a client certificate without its key, and names an unreadable file', async () => {
    await expect(connect({ target: 'https://127.0.0.1:9', certFile: '/nope.pem' })).rejects.toThrow(
      /^a client certificate needs its key: set FIREDRILL_CLIENT_KEY$/,
    );
    await expect(connect({ target: 'https://127.0.0.1:9', caFile: '/nope/ca.pem' })).rejects.toThrow(
      /^cannot read FIREDRILL_CA_CERT '\/nope\/ca.pem': ENOENT$/,
    );
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
