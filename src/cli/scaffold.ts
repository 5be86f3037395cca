import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../content/paths.js';
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

/** The scaffolding's files (data, in the package's scaffold/), with `${name}` placeholders. */
const SCAFFOLD = join(PACKAGE_ROOT, 'scaffold');

/** A scaffold file with its placeholders filled; a placeholder without a value is a bug here. */
function fill(file: string, values: Record<string, string>): string {
  return readFileSync(join(SCAFFOLD, file), 'utf8').replace(/\$\{([a-z]+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`scaffold/${file}: no value for \${${key}}`);
    return value;
  });
}

/** A query rule on AWS CloudTrail that validates as written; every line says what to change. */
export function ruleTemplate(id: string): string {
  return fill('rule.yaml', { id, title: titleOf(id), schemas: SCHEMA_BASE });
}

/**
 * A scenario that validates as written: with a rule, an attack that must raise it (its events fit
 * `ruleTemplate`'s conditions); without, a benign one that must raise nothing.
 */
export function scenarioTemplate(name: string, rule?: string): string {
  return rule
    ? fill('scenario-attack.yaml', { name, rule, schemas: SCHEMA_BASE })
    : fill('scenario-benign.yaml', { name, schemas: SCHEMA_BASE });
}

/** The files of a new content repository (`firedrill init`); pipelines and templates stay in the package. */
export function contentRepository(pack: string): Record<string, string> {
  const rule = `${pack}-aws-access-key-created`;
  return {
    'firedrill.config.yaml': fill(join('repository', 'firedrill.config.yaml'), {}),
    [join('detections', pack, `${rule}.yaml`)]: ruleTemplate(rule),
    [join('scenarios', pack, 'access-key-created.yaml')]: scenarioTemplate('access-key-created', rule),
    [join('scenarios', pack, 'nothing-happens.yaml')]: scenarioTemplate('nothing-happens'),
    [join('.github', 'workflows', 'firedrill.yml')]: fill(
      join('repository', '.github', 'workflows', 'firedrill.yml'),
      {},
    ),
    'README.md': fill(join('repository', 'README.md'), { pack, rule }),
  };
}

/** Relative to the content repository root, where `npm install firedrill` puts the package. */
const SCHEMA_BASE = '../../node_modules/firedrill/schemas';

function titleOf(id: string): string {
  const words = id.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Where a written file is, as the user typed the directory. */
export function shown(dir: string, file: string): string {
  return join(dir, file);
}
