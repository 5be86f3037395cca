import { afterEach, describe, expect, it } from 'vitest';
import { FiredrillError, describeError } from './errors.js';
import { forgetSecrets, redact, rememberSecret } from './redact.js';

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('removes URL user info wherever it appears', () => {
    expect(redact('GET https://elastic:s3cret@es:9200/_search failed')).toBe(
      'GET https://***@es:9200/_search failed',
    );
    expect(redact('target http://user@h:9200')).toBe('target http://***@h:9200');
    expect(redact('elastic:s3cret@es:9200')).toBe('***@es:9200');
    expect(redact('mail ops@example.com, time 10:00')).toBe('mail ops@example.com, time 10:00');
  });

  it('removes remembered passwords in plain, URL-encoded, user:password and Basic-header forms', () => {
    rememberSecret('p@ss word!', 'alice');
    const basic = Buffer.from('alice:p@ss word!').toString('base64');
    const text = `pw p@ss word! url p%40ss%20word! pair alice:p@ss word! header Basic ${basic}`;
    expect(redact(text)).toBe('pw *** url *** pair *** header Basic ***');
  });

  it('removes an Elasticsearch API key and the key part inside it', () => {
    const key = Buffer.from('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw').toString('base64');
    rememberSecret(key);
    expect(redact(`ApiKey ${key}; key ui2lp2axTNmsyakw9tvNnw`)).toBe('ApiKey ***; key ***');
  });

  it('is applied to every error line the CLI prints', () => {
    rememberSecret('hunter2hunter2', 'bob');
    const error = new FiredrillError('auth failed for https://bob:hunter2hunter2@h:9200 (hunter2hunter2)');
    expect(describeError(error)).toBe('auth failed for https://***@h:9200 (***)');
  });
});
