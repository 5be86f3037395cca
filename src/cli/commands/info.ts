import { Command } from 'commander';
import { connectTarget, withTargetOptions, type TargetOptions } from '../options.js';

/** `firedrill info`: which distribution and version answers at the target. */
export function infoCommand(): Command {
  return withTargetOptions(
    new Command('info').description('show the distribution, version and health of the target cluster'),
  )
    .option('--json', 'print JSON')
    .action(async (options: TargetOptions & { json?: boolean }) => {
      const cluster = await connectTarget(options);
      try {
        const health = await cluster.health();
        const out = { ...cluster.info, status: health.status, nodes: health.number_of_nodes };
        process.stdout.write(
          options.json
            ? `${JSON.stringify(out, null, 2)}\n`
            : `${out.distribution} ${out.version} at ${out.url} — cluster '${out.clusterName}', ${out.status}, ${out.nodes} node(s)\n`,
        );
      } finally {
        await cluster.close();
      }
    });
}
