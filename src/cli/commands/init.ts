import { join } from 'node:path';
import { Command } from 'commander';
import {
  checkName,
  contentRepository,
  ruleTemplate,
  packFor,
  scenarioTemplate,
  shown,
  writeNew,
} from '../scaffold.js';

/** `firedrill init [dir]`: a content repository that validates and tests as written. */
export function initCommand(): Command {
  return new Command('init')
    .description(
      'start a content repository: config, a pack with an example rule, scenarios proving it, a CI workflow (pipelines stay in the package)',
    )
    .argument('[dir]', 'where (created if missing)', '.')
    .option('--pack <name>', 'the pack folder for your rules and scenarios', 'local')
    .action((dir: string, options: { pack: string }) => {
      const written = writeNew(dir, contentRepository(checkName('pack', options.pack)));
      for (const file of written) process.stdout.write(`created ${shown(dir, file)}\n`);
      const cd = dir === '.' ? '' : `cd ${dir} && `;
      process.stdout.write(`next: ${cd}npx firedrill validate && npx firedrill test --provider embedded\n`);
    });
}

/** `firedrill new rule|scenario NAME`: a template that validates, to edit. */
export function newCommand(): Command {
  const content = (command: Command) => command.option('--content <dir>', 'the content repository', '.');
  return new Command('new')
    .description('write a new rule or scenario from a template that validates')
    .addCommand(
      content(new Command('rule'))
        .description('a query rule in detections/<pack>/NAME.yaml')
        .argument('<name>', 'the rule id (and file name), e.g. local-root-console-login')
        .option('--pack <name>', 'the pack folder (default: the only one there is, else local)')
        .action((name: string, options: { content: string; pack?: string }) => {
          const file = join(
            'detections',
            packFor(options.content, options.pack),
            `${checkName('rule', name)}.yaml`,
          );
          writeNew(options.content, { [file]: ruleTemplate(name) });
          process.stdout.write(`created ${shown(options.content, file)}\n`);
        }),
    )
    .addCommand(
      content(new Command('scenario'))
        .description(
          'a scenario in scenarios/<pack>/NAME.yaml: an attack that must raise --rule, else a benign one',
        )
        .argument('<name>', 'the scenario name (and file name)')
        .option('--rule <id>', 'the rule it must raise (an attack scenario)')
        .option('--pack <name>', 'the folder under scenarios/ (default: the rule pack, else local)')
        .action((name: string, options: { content: string; rule?: string; pack?: string }) => {
          const file = join(
            'scenarios',
            packFor(options.content, options.pack),
            `${checkName('scenario', name)}.yaml`,
          );
          writeNew(options.content, { [file]: scenarioTemplate(name, options.rule) });
          process.stdout.write(`created ${shown(options.content, file)}\n`);
        }),
    );
}
