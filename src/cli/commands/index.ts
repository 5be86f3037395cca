import type { Command } from 'commander';
import { alertsCommand } from './alerts.js';
import { cleanupCommand } from './cleanup.js';
import { clusterCommand } from './cluster.js';
import { demoCommand } from './demo.js';
import { deployCommand } from './deploy.js';
import { detectCommand } from './detect.js';
import { infoCommand } from './info.js';
import { initCommand, newCommand } from './init.js';
import { planCommand } from './plan.js';
import { replayCommand } from './replay.js';
import { rollbackCommand } from './rollback.js';
import { rolesCommand } from './roles.js';
import { rulesCommand } from './rules.js';
import { sigmaCommand } from './sigma.js';
import { healthCommand } from './health.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

/** Every `firedrill` subcommand, in the order data flows; each lives in its own file beside this one. */
export function registerCommands(program: Command): void {
  program.addCommand(demoCommand());
  program.addCommand(initCommand());
  program.addCommand(newCommand());
  program.addCommand(clusterCommand());
  program.addCommand(infoCommand());
  program.addCommand(validateCommand());
  program.addCommand(rulesCommand());
  program.addCommand(planCommand());
  program.addCommand(deployCommand());
  program.addCommand(rollbackCommand());
  program.addCommand(replayCommand());
  program.addCommand(cleanupCommand());
  program.addCommand(detectCommand());
  program.addCommand(alertsCommand());
  program.addCommand(testCommand());
  program.addCommand(healthCommand());
  program.addCommand(rolesCommand());
  program.addCommand(sigmaCommand());
}
