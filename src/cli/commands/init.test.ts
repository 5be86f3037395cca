import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../errors.js';
import { runCli } from '../fixtures/run.js';

const firedrill = runCli;

afterEach(() => vi.restoreAllMocks());

describe('starting your own content', () => {
  it('init scaffolds a repository that validates, without copying the pipelines', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fd-init-')), 'my-content');
    const init = await firedrill('init', dir);
    expect(init.code).toBe(EXIT.ok);
    for (const file of [
      'firedrill.config.yaml',
      'detections/local/local-aws-access-key-created.yaml',
      'scenarios/local/access-key-created.yaml',
      'scenarios/local/nothing-happens.yaml',
      '.github/workflows/firedrill.yml',
    ])
      expect(existsSync(join(dir, file)), file).toBe(true);
    expect(existsSync(join(dir, 'pipelines'))).toBe(false);
    const validate = await firedrill('validate', '--content', dir);
    expect(validate.out).toContain('rules: 1 of 1 valid');
    expect(validate.out).toContain('scenarios: 2 of 2 valid');
    expect(validate.out).toContain('0 problem(s), 0 warning(s)');
    expect(validate.code).toBe(EXIT.ok);
    // Never over someone's files.
    const again = await firedrill('init', dir);
    expect(again.code).toBe(EXIT.usage);
    expect(again.err).toMatch(/^firedrill: error: not overwriting .*firedrill.config.yaml/);
  });

  it('new rule and new scenario write templates that validate, and rules show prints the compiled query', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-new-'));
    await firedrill('init', dir, '--pack', 'acme');
    expect((await firedrill('new', 'rule', 'acme-x', '--content', dir)).out).toBe(
      `created ${join(dir, 'detections/acme/acme-x.yaml')}\n`,
    );
    await firedrill('new', 'scenario', 'x-happens', '--rule', 'acme-x', '--content', dir);
    await firedrill('new', 'scenario', 'x-quiet', '--content', dir);
    const validate = await firedrill('validate', '--content', dir);
    expect(validate.out).toContain('rules: 2 of 2 valid');
    expect(validate.out).toContain('scenarios: 4 of 4 valid');
    expect(validate.code).toBe(EXIT.ok);

    const list = await firedrill('rules', 'list', '--content', dir);
    expect(list.out).toMatch(/^acme-x +query +medium +acme +T1098\.001$/m);
    const show = await firedrill('rules', 'show', 'acme-x', '--content', dir);
    const shown = JSON.parse(show.out) as { id: string; index: string[]; query: unknown };
    expect(shown.id).toBe('acme-x');
    expect(shown.index).toEqual(['logs-aws.cloudtrail-*']);
    expect(JSON.stringify(shown.query)).toContain('CreateAccessKey');
    expect((await firedrill('rules', 'show', 'nope', '--content', dir)).code).toBe(EXIT.usage);
    expect((await firedrill('new', 'rule', 'Bad_Name', '--content', dir)).code).toBe(EXIT.usage);
  });
});
