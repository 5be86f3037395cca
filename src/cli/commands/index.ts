import type { Command } from 'commander';
import { infoCommand } from './info.js';

/** Every `firedrill` subcommand; each lives in its own file beside this one. */
export function registerCommands(program: Command): void {
  program.addCommand(infoCommand());
}
