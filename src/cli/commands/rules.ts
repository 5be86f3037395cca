import { basename, dirname, relative } from 'node:path';
import { Command } from 'commander';
import { compileRules } from '../../compile/rules/index.js';
import type { CompiledRule } from '../../compile/types.js';
import { contentPaths } from '../../content/paths.js';
import { UsageError } from '../../errors.js';
import { loadDetections } from '../../validate/index.js';
import { commandConfig } from '../options.js';

interface RulesOptions {
  content: string;
  config?: string;
  json?: boolean;
}

/** `firedrill rules list|show ID`: the rules as compiled for this config, without a cluster. */
export function rulesCommand(): Command {
  const common = (command: Command) =>
    command
      .option('--content <dir>', 'the directory holding detections/', '.')
      .option(
        '--config <file>',
        'the deployment config (default: found from --content or the working directory)',
      )
      .option('--json', 'print JSON');
  return new Command('rules')
    .description('list the rules, or show one compiled to the query DSL the engine runs')
    .addCommand(
      common(new Command('list'))
        .description('every rule: id, type, severity, pack, ATT&CK techniques')
        .action((options: RulesOptions) => {
          const rules = compiled(options);
          if (options.json) {
            process.stdout.write(`${JSON.stringify(rules.map(summary), null, 2)}\n`);
            return;
          }
          const rows = rules.map((r) => {
            const s = summary(r);
            return [s.id, s.type, s.severity, s.pack, s.techniques.join(' ')];
          });
          const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 4));
          for (const row of rows)
            process.stdout.write(
              `${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')}\n`,
            );
        }),
    )
    .addCommand(
      common(new Command('show'))
        .description(
          'one rule as compiled: its index patterns, schedule and query DSL (the steps of a sequence)',
        )
        .argument('<id>', 'the rule id')
        .action((id: string, options: RulesOptions) => {
          const rules = compiled(options);
          const rule = rules.find((r) => r.id === id);
          if (!rule)
            throw new UsageError(
              `no rule '${id}' in ${contentPaths(options.content).detections} (firedrill rules list shows them)`,
            );
          process.stdout.write(`${JSON.stringify(options.json ? rule : shownRule(rule), null, 2)}\n`);
        }),
    );
}

type Listed = CompiledRule & { file: string };

function compiled(options: RulesOptions): Listed[] {
  const detections = loadDetections(contentPaths(options.content).detections);
  const files = new Map(detections.rules.map((r) => [r.rule.id, r.source.file]));
  return compileRules(detections, commandConfig(options)).map((rule) => ({
    ...rule,
    file: relative(process.cwd(), files.get(rule.id) ?? ''),
  }));
}

function summary(rule: Listed) {
  return {
    id: rule.id,
    type: rule.type,
    severity: rule.severity,
    pack: basename(dirname(rule.file)),
    techniques: [...new Set(rule.threat.map((t) => (t.subtechnique ?? t.technique).id))],
    file: rule.file,
  };
}

/** What the engine sends: the query (or each step's), the indices and the schedule, without the prose. */
function shownRule(rule: Listed): Record<string, unknown> {
  const {
    description: _description,
    investigation: _investigation,
    falsePositives: _falsePositives,
    hash: _hash,
    ...rest
  } = rule;
  return rest;
}
