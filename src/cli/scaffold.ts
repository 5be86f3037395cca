import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/** Names of rules, scenarios and packs: what rule ids and scenario names accept. */
const NAME = /^[a-z0-9][a-z0-9-]*$/;

export function checkName(what: string, name: string): string {
  if (!NAME.test(name))
    throw new UsageError(`${what} '${name}' must be lower-case letters, digits and dashes`);
  return name;
}

/** Writes files under `dir`, refusing to overwrite any; returns the paths written, relative to `dir`. */
export function writeNew(dir: string, files: Record<string, string>): string[] {
  const clashes = Object.keys(files).filter((file) => existsSync(join(dir, file)));
  if (clashes.length) throw new UsageError(`not overwriting ${clashes.map((f) => join(dir, f)).join(', ')}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return Object.keys(files);
}

/** The pack a new rule goes in: the one given, else the only pack folder there is, else `local`. */
export function packFor(contentDir: string, pack?: string): string {
  if (pack) return checkName('pack', pack);
  const detections = join(contentDir, 'detections');
  const packs = existsSync(detections)
    ? readdirSync(detections, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !['attack', 'templates', 'examples'].includes(d.name))
        .map((d) => d.name)
    : [];
  if (packs.length > 1) throw new UsageError(`which pack? --pack ${packs.join(' | ')}`);
  return packs[0] ?? 'local';
}

/** A query rule on AWS CloudTrail that validates as written; every line says what to change. */
export function ruleTemplate(id: string): string {
  return `# yaml-language-server: $schema=${SCHEMA_BASE}/rule.schema.json
# A detection rule (docs/rules.md). The id is the file name. \`firedrill validate\` checks it; a scenario in
# scenarios/ proves it (\`firedrill new scenario NAME --rule ${id}\`).
id: ${id}
name: ${titleOf(id)}
description: >
  TODO: what this rule finds and why it matters. As written it alerts on every access key created
  in AWS IAM.
author: [you]
threat:
  # MITRE ATT&CK: tactic, technique, sub-technique (the ids are checked against the ATT&CK table).
  - { tactic: TA0003, technique: T1098, subtechnique: T1098.001 }
severity: medium
risk_score: 47
false_positives:
  - 'TODO: who does this legitimately, and how to tell them apart.'
investigation:
  - 'Who: user.name and firedrill.actor.ids; was the change planned (a ticket, a deploy)?'
  - 'What: user.target.name got a new key; look for its first use (source.ip, user_agent.original).'
index: [logs-aws.cloudtrail-*]
schedule: { interval: 5m, lookback: 10m }
type: query
# Conditions on ECS fields the pipelines write (docs/fields.md); all must hold.
where:
  event.provider: iam.amazonaws.com
  event.action: CreateAccessKey
  event.outcome: success
`;
}

/**
 * A scenario that validates as written: with a rule, an attack that must raise it (the events fit
 * \`ruleTemplate\`'s conditions); without, a benign one that must raise nothing.
 */
export function scenarioTemplate(name: string, rule?: string): string {
  const expect = rule
    ? `expect:
  must_fire:
    - rule: ${rule}
      count: 1
  must_not_fire: []`
    : `expect:
  must_fire: []
  # none: no alert at all may fire; or list the rule ids that must stay silent.
  must_not_fire: none`;
  return `# yaml-language-server: $schema=${SCHEMA_BASE}/scenario.schema.json
# A scenario (docs/scenarios.md): events made from record templates (the package's scenarios/templates),
# at times relative to start, and the alerts they must and must not raise. \`firedrill test\` replays it.
name: ${name}
description: >-
  TODO: what happens here${rule ? ` and why ${rule} must fire` : ' and why nothing must fire'}.
kind: ${rule ? 'attack' : 'benign'}
attack:
  - technique: T1098.001
start: '2026-01-06T10:00:00Z'
identities:
  admin:
    template: aws.iam-user
    name: cloud-admin
    key: admin-key
events:
${rule ? ATTACK_EVENTS : BENIGN_EVENTS}
${expect}
`;
}

const ATTACK_EVENTS = `  - { at: +0s, template: aws.iam.CreateUser, actor: admin, with: { userName: new-user } }
  - { at: +1m, template: aws.iam.CreateAccessKey, actor: admin, with: { userName: new-user, key: new-key } }`;

/** Reading, not changing: look-alike activity by the same admin. */
const BENIGN_EVENTS = `  - { at: +0s, template: aws.sts.GetCallerIdentity, actor: admin }
  - { at: +1m, template: aws.iam.ListUsers, actor: admin }`;

/** The files of a new content repository (`firedrill init`); pipelines and templates stay in the package. */
export function contentRepository(pack: string): Record<string, string> {
  const rule = `${pack}-aws-access-key-created`;
  return {
    'firedrill.config.yaml': CONFIG,
    [join('detections', pack, `${rule}.yaml`)]: ruleTemplate(rule),
    [join('scenarios', pack, 'access-key-created.yaml')]: scenarioTemplate('access-key-created', rule),
    [join('scenarios', pack, 'nothing-happens.yaml')]: scenarioTemplate('nothing-happens'),
    [join('.github', 'workflows', 'firedrill.yml')]: WORKFLOW,
    'README.md': README(pack, rule),
  };
}

/** Relative to the content repository root, where `npm install firedrill` puts the package. */
const SCHEMA_BASE = '../../node_modules/firedrill/schemas';

function titleOf(id: string): string {
  const words = id.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const CONFIG = `# yaml-language-server: $schema=node_modules/firedrill/schemas/config.schema.json
# The deployment config (docs/config.md). Every command finds it here (or pass --config).
targets:
  local:
    url: http://localhost:9200
keep_event_original: false
parameters:
  # Identities whose account and key creation is expected (ARNs, role names, emails, UPNs, app ids).
  approved_provisioners: []
  change_window:
    days: [mon, tue, wed, thu, fri]
    hours: { start: 8, end: 18 }
    # timezone: Europe/Berlin   # an IANA zone; UTC without it
`;

const WORKFLOW = `# Validate and test the content on every push: firedrill starts its own OpenSearch (needs a JDK and Maven).
name: firedrill
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - uses: actions/setup-java@v4
        with: { distribution: temurin, java-version: 17 }
      - run: npm install firedrill
      - run: npx firedrill validate
      - run: npx firedrill test --provider embedded --report-dir reports
      - uses: actions/upload-artifact@v4
        if: always()
        with: { name: firedrill-reports, path: reports }
`;

const README = (pack: string, rule: string) => `# Detection content

Rules in \`detections/${pack}/\`, scenarios proving them in \`scenarios/${pack}/\`, the deployment config in
\`firedrill.config.yaml\`. The ingest pipelines, record templates and ATT&CK table come from the firedrill package.

\`\`\`sh
npx firedrill validate                            # every problem at once, file:line: field: problem
npx firedrill new rule ${pack}-my-rule               # a rule template that validates
npx firedrill new scenario my-attack --rule ${rule}
npx firedrill test --provider embedded            # replay the scenarios on a throwaway OpenSearch
npx firedrill rules show ${rule}   # the query DSL it compiles to
\`\`\`
`;

/** Where a written file is, as the user typed the directory. */
export function shown(dir: string, file: string): string {
  return join(dir, file);
}
