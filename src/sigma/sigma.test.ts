import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compilePipelines } from '../compile/index.js';
import { compileRules } from '../compile/rules/index.js';
import { readAttackTable } from '../content/attack.js';
import { defaultConfig } from '../content/config.js';
import { readDetections } from '../content/rules.js';
import { validateRules } from '../validate/index.js';
import { luceneRegexp } from './detection.js';
import { exportSigma, writeExported } from './export.js';
import { importSigma, writeImported } from './import.js';
import { formatRefusal, Refusal } from './refusal.js';

const attack = readAttackTable('detections');

/** A detections folder with the ATT&CK table and one pack, `sigma`, imported from the inputs. */
function importInto(inputs: string[], fields?: Record<string, Record<string, string>>) {
  const dir = mkdtempSync(join(tmpdir(), 'firedrill-sigma-unit-'));
  cpSync('detections/attack', join(dir, 'attack'), { recursive: true });
  const result = importSigma(inputs, { attack, fields });
  writeImported(result, join(dir, 'sigma'));
  return { dir, result };
}

describe('firedrill sigma import', () => {
  it('imports every rule of the corpus, and they validate and compile', () => {
    const { dir, result } = importInto(['test/sigma/corpus']);
    expect(result.refused.map(formatRefusal)).toEqual([]);
    expect(result.rules.map((r) => [r.rule.id, r.rule.type])).toEqual([
      ['aws-denied-create-user-burst', 'threshold'],
      ['aws-iam-user-many-ips', 'threshold'],
      ['aws-key-admin-or-ci', 'query'],
      ['aws-key-and-policy-any-order', 'sequence'],
      ['aws-user-created-then-key', 'sequence'],
      ['credentials-added-by-the-break-glass-account', 'query'],
      ['credentials-added-by-the-break-glass-account-exact-upn', 'query'],
      ['denied-user-creation-or-a-console-password-set', 'query'],
      ['gcp-service-account-key-created-by-a-person', 'query'],
      ['iam-user-created-by-an-iam-user-from-the-documentation-range', 'query'],
      ['iam-user-created-with-the-aws-cli-on-linux', 'query'],
      ['service-principal-credentials-added-by-a-user', 'query'],
    ]);
    const templates = compilePipelines('pipelines', { keepOriginal: false });
    const validation = validateRules({ dir, config: defaultConfig(), templates });
    expect(validation.errors.map((e) => e.message)).toEqual([]);
    expect(validation.valid).toBe(12);
  });

  it('keeps the meaning: caseless by default, cased on request, correlations as threshold and sequence', () => {
    const { result } = importInto(['test/sigma/corpus']);
    const rule = (id: string) => result.rules.find((r) => r.rule.id === id)!.rule;
    const cli = rule('iam-user-created-with-the-aws-cli-on-linux');
    expect(cli).toMatchObject({
      severity: 'medium',
      risk_score: 47,
      exempt_approved_provisioners: false,
      threat: [{ tactic: 'TA0003', technique: 'T1136', subtechnique: 'T1136.003' }],
      tags: ['sigma-id:6f1d2c3a-0001-4000-8000-000000000001'],
      false_positives: ['Administrators creating users from a Linux jump host.'],
    });
    expect(cli.where).toEqual({
      all: [
        { 'event.provider': { equals: 'IAM.amazonaws.com', case_insensitive: true } },
        { 'event.action': { equals: 'createuser', case_insensitive: true } },
        { 'user_agent.original': { prefix: 'aws-cli/', case_insensitive: true } },
        { 'user_agent.original': { wildcard: '*Linux*', case_insensitive: true } },
        { 'user_agent.original': { wildcard: '*command/iam.create-user*', case_insensitive: true } },
        { 'aws.cloudtrail.error_code': { exists: false } },
        { not: { 'aws.cloudtrail.user_identity.arn': { wildcard: '*:root', case_insensitive: true } } },
      ],
    });
    expect(rule('iam-user-created-by-an-iam-user-from-the-documentation-range').where).toEqual({
      all: [
        { 'source.ip': { cidr: ['203.0.113.0/24', '2001:db8::/32'] } },
        { 'event.action': { regexp: 'Create(User|LoginProfile)' } },
        { 'event.provider': { equals: 'iam.amazonaws.com' } },
        { 'aws.cloudtrail.user_identity.type': { regexp: 'iamuser', case_insensitive: true } },
        { 'user_agent.original': { regexp: '.*exe/x86_64\\.debian.*' } },
      ],
    });
    expect(rule('aws-denied-create-user-burst')).toMatchObject({
      type: 'threshold',
      threshold: { group_by: ['aws.cloudtrail.user_identity.arn'], value: 3, window: '10m' },
      schedule: { interval: '5m', lookback: '15m' },
    });
    expect(rule('aws-iam-user-many-ips').threshold).toEqual({
      group_by: ['aws.cloudtrail.user_identity.arn'],
      value: 3,
      window: '15m',
      distinct: 'source.address',
    });
    expect(rule('aws-iam-user-many-ips').threat).toEqual([
      { tactic: 'TA0001', technique: 'T1078', subtechnique: 'T1078.004' },
    ]); // inherited from the rule it counts
    const sequence = rule('aws-user-created-then-key').sequence!;
    expect(sequence.max_span).toBe('30m');
    expect(sequence.steps.map((s) => [s.name, s.join])).toEqual([
      ['IAM user created', ['aws.cloudtrail.recipient_account_id', 'user.target.name']],
      ['Access key created for another user', ['aws.cloudtrail.recipient_account_id', 'user.target.name']],
    ]);
    expect(sequence.ordered).toBeUndefined();
    expect(rule('aws-key-and-policy-any-order').sequence).toMatchObject({ max_span: '10m', ordered: false });
  });

  it('names every refused rule with file, line, construct and reason, and still writes the others', () => {
    const { result } = importInto(['test/sigma/refused']);
    expect(result.rules.map((r) => [r.rule.id, r.rule.where])).toEqual([
      ['a-rule-that-converts', { 'event.action': { wildcard: '*Create*', case_insensitive: true } }],
    ]);
    const d = 'test/sigma/refused/detection.yml';
    const c = 'test/sigma/refused/correlation.yml';
    expect(result.refused.map(formatRefusal).sort()).toEqual(
      [
        `${d}:7: Keyword search: detection.keywords: keyword search (values without a field) needs a full-text field, and firedrill indexes none`,
        `${d}:15: Field reference: detection.selection.userIdentity.arn|fieldref: modifier 'fieldref': comparing two fields of one event needs a script, and rules never carry scripts`,
        `${d}:23: Encoded value: detection.selection.userAgent|base64offset|contains: modifier 'base64offset': encoded-value modifiers are not supported`,
        `${d}:32: Unknown field: detection.selection.tlsDetails.tlsVersion: field 'tlsDetails.tlsVersion' is not in the aws/cloudtrail field table (docs/sigma.md; extend it with sigma.fields.aws-cloudtrail in the config)`,
        `${d}:40: Text field: detection.selection.errorMessage|contains: field 'errorMessage' cannot be searched: errorMessage is indexed as text (aws.cloudtrail.error_message): no exact match`,
        `${d}:49: Null test on a derived field: detection.selection.requestParameters.userName: null / exists on 'requestParameters.userName' cannot be exact: user.target.name is the account the call affects: requestParameters.userName when the request names one, else the caller itself (self-service calls) or the response`,
        `${d}:57: Shorthand class in a regular expression: detection.selection.userAgent|re: regular expression "aws-cli/\\\\d+": '\\d' means something else (or nothing) in Lucene; write a character class like [0-9]`,
        `${d}:65: Lookahead: detection.selection.eventName|re: regular expression "^Create(?!Tags)": groups with '(?' (lookaround, flags, named or non-capturing) are not in Lucene`,
        `${d}:70: Category log source: logsource.category: categories are not mapped; name product and service (aws/cloudtrail, gcp/gcp.audit, azure/auditlogs)`,
        `${d}:77: No technique: tags: no attack.tNNNN technique tag: every firedrill rule maps to an ATT&CK technique`,
        `${d}:85: Technique outside the table: tags: attack.t1530: T1530 is not in detections/attack/techniques.yaml; add it there first`,
        `${d}:98: Old aggregation: detection.condition: 'selection | count() by userIdentity.arn > 5': Sigma v1 aggregations (| count() …) are not supported; write a correlation rule`,
        `${d}:106: Unknown selection: detection.condition: 'selection and not filter': no selection named 'filter'`,
        `${c}:29: Any order, one of two: correlation.condition: temporal must see every rule (gte: the number of rules); fewer needs "any n of" sets the engine does not evaluate`,
        `${c}:38: Fewer than: correlation.condition.lt: 'lt' needs to know a window ended with no further events (absence), which the engine does not evaluate`,
        `${c}:47: A range: correlation.condition: gte + lte: a threshold alerts when a count reaches a value (gte, gt); ranges and upper bounds need the window to close without more events, which the engine does not evaluate`,
        `${c}:58: Exactly: correlation.condition.eq: 'eq' needs to know a window ended with no further events (absence), which the engine does not evaluate`,
        `${c}:63: Correlation of a correlation: correlation.rules.any_order: correlations of correlations are not supported`,
        `${c}:75: Different group fields in one threshold: correlation.aliases: a threshold groups every event by the same fields; these rules map the group to different indexed fields`,
        `${c}:85: Unknown rule: correlation.rules.nowhere: no rule with that name or id among the imported files`,
        `${c}:94: Weeks: correlation.timespan: '1w' is not a timespan firedrill reads (s, m, h or d)`,
      ].sort(),
    );
  });

  it('counts all events as one group without group-by, and writes the named rules too with generate: true', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-sigma-generate-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      [
        'title: Root call',
        'name: root_call',
        'tags: [attack.initial-access, attack.t1078.004]',
        'logsource: { product: aws, service: cloudtrail }',
        'detection: { selection: { userIdentity.type|cased: Root }, condition: selection }',
        '---',
        'title: Root busy',
        'correlation:',
        '  type: event_count',
        '  rules: [root_call]',
        '  timespan: 1h',
        '  condition: { gt: 9 }',
        '  generate: true',
      ].join('\n'),
    );
    const { result } = importInto([dir]);
    expect(result.refused).toEqual([]);
    expect(result.rules.map((r) => [r.rule.id, r.rule.type, r.rule.threshold, r.rule.where])).toEqual([
      [
        'root-busy',
        'threshold',
        { group_by: ['event.kind'], value: 10, window: '1h' },
        { 'aws.cloudtrail.user_identity.type': { equals: 'Root' } },
      ],
      ['root-call', 'query', undefined, { 'aws.cloudtrail.user_identity.type': { equals: 'Root' } }],
    ]);
  });

  it('compares numbers with gt/gte/lt/lte, reads re|s, and keeps each source apart in a correlation of two', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-sigma-more-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      [
        'title: GCP call failed',
        'name: gcp_failed',
        'tags: [attack.persistence, attack.t1098.001]',
        'logsource: { product: gcp, service: gcp.audit }',
        'detection:',
        '  selection: { protoPayload.status.code|gte: 1, protoPayload.status.code|lt: 17 }',
        '  condition: selection',
        '---',
        'title: AWS call from a script',
        'name: aws_script',
        'tags: [attack.persistence, attack.t1098.001]',
        'logsource: { product: aws, service: cloudtrail }',
        'detection:',
        "  selection: { userAgent|re|s: '^Boto3/.+' }",
        '  condition: selection',
        '---',
        'title: Failures across clouds',
        'tags: [attack.persistence, attack.t1098.001]',
        'correlation:',
        '  type: event_count',
        '  rules: [gcp_failed, aws_script]',
        '  timespan: 5m',
        '  condition: { gte: 2 }',
        '  generate: true',
      ].join('\n'),
    );
    const { result } = importInto([dir]);
    expect(result.refused.map(formatRefusal)).toEqual([]);
    const rule = (id: string) => result.rules.find((r) => r.rule.id === id)!.rule;
    expect(rule('gcp-failed').where).toEqual({
      all: [{ 'gcp.audit.status.code': { gte: 1 } }, { 'gcp.audit.status.code': { lt: 17 } }],
    });
    expect(rule('aws-script').where).toEqual({ 'user_agent.original': { regexp: 'Boto3/.+.*' } });
    expect(rule('failures-across-clouds')).toMatchObject({
      index: ['logs-gcp.audit-*', 'logs-aws.cloudtrail-*'],
      where: {
        any: [
          {
            all: [
              { 'event.dataset': 'gcp.audit' },
              { 'gcp.audit.status.code': { gte: 1 } },
              { 'gcp.audit.status.code': { lt: 17 } },
            ],
          },
          {
            all: [{ 'event.dataset': 'aws.cloudtrail' }, { 'user_agent.original': { regexp: 'Boto3/.+.*' } }],
          },
        ],
      },
      threshold: { group_by: ['event.kind'], value: 2, window: '5m' },
    });
  });

  it('takes extra field-table rows from the config', () => {
    const { result } = importInto(['test/sigma/refused/detection.yml'], {
      'aws-cloudtrail': { 'tlsDetails.tlsVersion': 'tls.version' },
    });
    const unknown = result.rules.find((r) => r.rule.name === 'Unknown field');
    expect(unknown?.rule.where).toEqual({
      all: [
        { 'event.action': { equals: 'CreateUser', case_insensitive: true } },
        { 'tls.version': { equals: 'TLSv1.0', case_insensitive: true } },
      ],
    });
    expect(() => importSigma([], { attack, fields: { nowhere: {} } })).toThrow(/sigma.fields.nowhere/);
  });

  it('reads regular expressions as Sigma means them, in Lucene terms', () => {
    const refuse = (why: string) => new Refusal('re', why);
    expect(luceneRegexp('abc', false, refuse)).toBe('.*abc.*');
    expect(luceneRegexp('^a.b$', false, refuse)).toBe('a[^\n]b');
    expect(luceneRegexp('^a.b$', true, refuse)).toBe('a.b');
    expect(luceneRegexp('^[.a-z]+"x"', false, refuse)).toBe('[.a-z]+\\"x\\".*');
    expect(luceneRegexp('a&b~c@d<e>#', false, refuse)).toBe('.*a\\&b\\~c\\@d\\<e\\>\\#.*');
    for (const bad of ['\\w+', 'a+?', 'a^b', '(?i)x', '[a', '\\'])
      expect(() => luceneRegexp(bad, false, refuse), bad).toThrow(Refusal);
  });

  it('exits 1 naming each refused rule on stderr, after writing the others', async () => {
    const out = mkdtempSync(join(tmpdir(), 'firedrill-sigma-cli-'));
    const run = promisify(execFile);
    const error = (await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'sigma',
        'import',
        'test/sigma/refused',
        '--out',
        join(out, 'sigma'),
      ],
      { env: { ...process.env, NO_COLOR: '1' } },
    ).catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stdout).toContain('1 rule(s) written');
    expect(error.stderr.trim().split('\n')).toHaveLength(22);
    expect(error.stderr).toContain('firedrill: error: 21 rule(s) refused');
    expect(readdirSync(join(out, 'sigma'))).toEqual(['a-rule-that-converts.yaml']);
  }, 60_000);
});

describe('firedrill sigma export', () => {
  it('round trip: importing the export of the imported corpus gives the same compiled rules', () => {
    const first = importInto(['test/sigma/corpus']);
    const exported = exportSigma(first.dir, []);
    expect(exported.refused.map(formatRefusal)).toEqual([]);
    const sigmaDir = mkdtempSync(join(tmpdir(), 'firedrill-sigma-export-'));
    writeExported(exported, sigmaDir);
    const second = importInto([sigmaDir]);
    expect(second.result.refused.map(formatRefusal)).toEqual([]);
    const config = defaultConfig();
    const a = compileRules(readDetections(first.dir), config);
    const b = compileRules(readDetections(second.dir), config);
    expect(b.map((r) => r.id)).toEqual(a.map((r) => r.id));
    expect(b).toEqual(a);
  });

  it('names everything a native rule carries that Sigma cannot, with its line', () => {
    const result = exportSigma('detections', ['an1608-*']);
    expect(result.files).toEqual([]);
    const byRule = new Map<string, string[]>();
    for (const r of result.refused) byRule.set(r.rule!, [...(byRule.get(r.rule!) ?? []), r.construct]);
    expect(byRule.size).toBe(18);
    // Besides the exemption (all but one rule), each reads something Sigma has no raw field or form for.
    for (const [rule, constructs] of byRule)
      expect(
        constructs.filter((c) => c !== 'exempt_approved_provisioners'),
        rule,
      ).toHaveLength(1);
    expect([...byRule.values()].filter((c) => c.includes('exempt_approved_provisioners'))).toHaveLength(17);
    expect(new Set(result.refused.map((r) => r.construct))).toEqual(
      new Set([
        'exempt_approved_provisioners',
        'index',
        'event.outcome',
        'firedrill.activity',
        'cloud.account.id',
        'sequence.steps.join',
      ]),
    );
    const root = result.refused.find(
      (r) => r.rule === 'an1608-aws-account-created-by-root' && r.construct === 'firedrill.activity',
    );
    expect(root?.line).toBe(30);
  });
});
