import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../errors.js';
import { runCli } from '../fixtures/run.js';

const validate = (...args: string[]) => runCli('validate', ...args);

afterEach(() => vi.restoreAllMocks());

describe('firedrill validate (rules)', () => {
  it('passes the repository content', async () => {
    const { code, out } = await validate('--config', 'firedrill.config.yaml');
    expect(out).toMatch(/^rules: (\d+) of \1 valid$/m);
    expect(out).toMatch(/^scenarios: (\d+) of \1 valid$/m);
    expect(out).toMatch(/^0 problem\(s\), 0 warning\(s\)$/m);
    expect(code).toBe(0);
  });

  it('prints one file:line: field: problem line per problem and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-validate-cli-'));
    cpSync('pipelines', join(dir, 'pipelines'), { recursive: true });
    cpSync('detections', join(dir, 'detections'), { recursive: true });
    const file = join(dir, 'detections', 'an1608', 'an1608-aws-access-key-for-other-user.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('risk_score: 47', 'risk_score: 90')
        .replace('event.action: CreateAccessKey', 'event.action: { in_param: key_admins }'),
    );
    const { code, out } = await validate('--content', dir);
    expect(code).toBe(EXIT.failed);
    expect(out).toContain(`${file}:14: risk_score: 90 does not fit severity medium (22–47)`);
    expect(out).toContain(`${file}:30: where.event.action.in_param: unknown parameter 'key_admins'`);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('names a config file that is not valid', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'fd-validate-cli-')), 'bad.yaml');
    writeFileSync(
      config,
      'parameters:\n  change_window: { days: [someday], hours: { start: 8, end: 18 } }\n',
    );
    const { code, out } = await validate('--config', config);
    expect(code).toBe(EXIT.failed);
    expect(out).toContain(
      `${config}:2: parameters.change_window.days.0: must be equal to one of the allowed values`,
    );
  });
});

describe('firedrill validate (everything at once)', () => {
  /** A copy of the repository content with one problem of every kind. */
  function brokenContent(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fd-validate-all-'));
    for (const part of ['pipelines', 'detections', 'scenarios'])
      cpSync(part, join(dir, part), { recursive: true });
    const edit = (file: string, change: (text: string) => string) =>
      writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
    edit('pipelines/azure-audit/pipeline.yaml', (t) =>
      t.replace('id: firedrill-azure-audit', 'id: [firedrill'),
    );
    edit('detections/an1608/an1608-account-creation-burst.yaml', (t) =>
      t.replace(/^severity: .*$/m, 'severity: hgh'),
    );
    edit('detections/an1608/an1608-aws-access-key-for-other-user.yaml', (t) =>
      t.replace('risk_score: 47', 'risk_score: 90'),
    );
    edit('scenarios/an1608/aws-root-creates-user.yaml', (t) =>
      t
        .replace('template: aws.iam.CreateUser', 'template: aws.iam.CreatUser')
        .replace('rule: an1608-aws-account-created-by-root', 'rule: an1608-aws-acount-created-by-root')
        .replace('kind: attack', 'kind: attack\nsurprise: 1'),
    );
    writeFileSync(join(dir, 'detections', 'stray.yaml'), 'id: stray\n');
    writeFileSync(join(dir, 'firedrill.config.yaml'), 'parameters:\n  Bad-Name: [x]\n');
    return dir;
  }

  it('reports the config, pipeline, rule and scenario problems together, and files it ignores', async () => {
    const dir = brokenContent();
    const { code, out } = await validate('--content', dir);
    expect(code).toBe(EXIT.failed);
    const at = (file: string) => join(dir, file);
    expect(out).toContain(`${at('firedrill.config.yaml')}:2: parameters.Bad-Name: is not a parameter name`);
    expect(out).toContain(`${at('pipelines/azure-audit/pipeline.yaml')}:4: Flow sequence`);
    expect(out).toMatch(/an1608-account-creation-burst.yaml:\d+: severity: must be equal to one of/);
    // A schema error in one rule hides nothing about another, and a broken pipeline skips no rule check.
    expect(out).toMatch(/an1608-aws-access-key-for-other-user.yaml:14: risk_score: 90 does not fit/);
    const scenario = at('scenarios/an1608/aws-root-creates-user.yaml');
    expect(out).toContain(`${scenario}:6: surprise: unknown field`);
    expect(out).toMatch(
      /aws-root-creates-user.yaml:\d+: expect.must_fire.0.rule: no rule 'an1608-aws-acount-created-by-root' \(did you mean an1608-aws-account-created-by-root\?\)/,
    );
    expect(out).toMatch(
      /aws-root-creates-user.yaml:\d+: events.0.template: no event template 'aws.iam.CreatUser'/,
    );
    expect(out).toContain(`${at('detections/stray.yaml')}: warning: ignored: rules go in a pack folder`);
  });

  it('--json lists each problem as file, line, field and problem', async () => {
    const dir = brokenContent();
    const { code, out } = await validate('--content', dir, '--json');
    expect(code).toBe(EXIT.failed);
    const result = JSON.parse(out) as {
      valid: boolean;
      config: string;
      errors: { file: string; line?: number; field?: string; problem: string }[];
      warnings: { file: string; problem: string }[];
    };
    expect(result.valid).toBe(false);
    expect(result.config).toBe(join(dir, 'firedrill.config.yaml'));
    expect(result.errors).toContainEqual({
      file: join(dir, 'detections/an1608/an1608-aws-access-key-for-other-user.yaml'),
      line: 14,
      field: 'risk_score',
      problem: '90 does not fit severity medium (22–47)',
    });
    expect(result.warnings.map((w) => w.file)).toEqual([join(dir, 'detections', 'stray.yaml')]);
  });

  it('--verbose names the config it used: the content directory’s own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-validate-config-'));
    cpSync('detections', join(dir, 'detections'), { recursive: true });
    writeFileSync(join(dir, 'firedrill.config.yaml'), 'keep_event_original: true\n');
    const { code, err } = await validate('--content', dir, '--verbose');
    expect(err).toContain(`firedrill: config: ${join(dir, 'firedrill.config.yaml')}`);
    expect(code).toBe(0);
  });
});
