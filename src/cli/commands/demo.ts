import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { EXIT } from '../../errors.js';
import pc from 'picocolors';

type Colors = ReturnType<typeof pc.createColors>;
import { PACKAGE_ROOT } from '../../content/paths.js';
import { removeDeployment } from '../../deploy/index.js';
import { connectCluster } from '../options.js';
import { startCluster } from '../../providers/start.js';
import { drill } from '../../scenarios/drill.js';
import type { RunResult } from '../../scenarios/results.js';
import { textSummary } from '../../reports/summary.js';
import { writeReports } from '../../reports/write.js';
import { printable } from '../../printable.js';

interface DemoOptions {
  provider: 'embedded' | 'testcontainers';
  target?: string;
  keep?: boolean;
  reportDir: string;
}

/** `firedrill demo`: the whole loop on a throwaway cluster — the README's first command. */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'start a cluster, deploy the AN1608 pack, replay its attack and benign scenarios, print the alerts and coverage, write reports/coverage.html',
    )
    .addOption(
      new Option('--provider <name>', 'how to start the cluster')
        .choices(['embedded', 'testcontainers'])
        .default('embedded'),
    )
    .addOption(
      new Option(
        '--target <url>',
        'run on this existing cluster instead of starting one (it is left running)',
      ),
    )
    .option(
      '--keep',
      'leave the cluster running with the replayed events and alerts (stop it with `firedrill cluster down`)',
    )
    .option('--report-dir <dir>', 'where to write the reports', 'reports')
    .action(async (options: DemoOptions) => {
      const color = process.stdout.isTTY === true;
      const c = color ? pc : pc.createColors(false);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      if (!options.target) log(`starting an ${options.provider} cluster…`);
      const started = await startCluster(
        options.target ? { target: options.target } : { provider: options.provider },
        { keep: options.keep },
      );
      try {
        const cluster = await connectCluster({ target: started.url });
        try {
          log(
            `${cluster.info.distribution} ${cluster.info.version} is up at ${started.url}; deploying the AN1608 pack and replaying scenarios…`,
          );
          // Its own cluster is throwaway; on someone else's it deploys into a deployment of its own.
          const deployment = options.target ? `demo-${randomBytes(4).toString('hex')}` : undefined;
          const run = await drill(cluster, {
            scenarios: [join(PACKAGE_ROOT, 'scenarios', 'an1608')],
            contentDir: PACKAGE_ROOT,
            deployment,
            keep: options.keep,
            onScenario: (r, i, total) =>
              log(
                `  [${i + 1}/${total}] ${r.passed ? c.green('pass') : c.red('FAIL')} ${r.name} ${c.dim(`(${r.kind})`)}`,
              ),
          });
          const reports = await writeReports(run, options.reportDir);
          process.stdout.write(alertsTable(run, c));
          process.stdout.write(textSummary(run, reports.coverage, color));
          process.stdout.write(`\ncoverage report: ${reports.files.html}\n`);
          if (options.keep)
            process.stdout.write(
              `cluster kept at ${started.url} with the replayed data (markers in ${reports.files.json}); stop it with \`firedrill cluster down\`\n`,
            );
          if (!run.passed) process.exitCode = EXIT.failed;
          if (deployment && !options.keep) await removeDeployment(cluster, deployment);
        } finally {
          await cluster.close();
        }
      } finally {
        if (!options.keep) await started.stop();
      }
    });
}

/** Every alert the attack scenarios raised: the detections at work. */
function alertsTable(run: RunResult, c: Colors): string {
  const lines = ['', c.bold('alerts raised by the attack scenarios')];
  for (const s of run.scenarios.filter((x) => x.kind === 'attack')) {
    lines.push(`${s.name}:`);
    for (const a of s.alerts)
      lines.push(
        `  ${c.red('▲')} ${a.rule} ${c.dim(`[${a.severity ?? '?'}]`)}${a.actor ? ` by ${printable(a.actor)}` : ''}${a.target ? ` → ${printable(a.target)}` : ''}`,
      );
    if (!s.alerts.length) lines.push('  (none)');
  }
  const quiet = run.scenarios.filter((x) => x.kind === 'benign');
  lines.push(
    `${quiet.length} benign look-alike(s) replayed; ${quiet.filter((x) => x.passed).length} stayed within their expectations`,
    '',
  );
  return `${lines.join('\n')}\n`;
}
