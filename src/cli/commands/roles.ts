import { Command } from 'commander';
import { roleRequests, type Distribution } from '../../cluster/index.js';
import { firedrillRoles } from '../../security/roles.js';
import {
  connectTarget,
  withDeploymentOption,
  withTargetOptions,
  type DeploymentOptions,
  type TargetOptions,
} from '../options.js';

interface RolesOptions extends TargetOptions, DeploymentOptions {
  apply?: boolean;
  json?: boolean;
}

const DISTRIBUTIONS: Distribution[] = ['opensearch', 'elasticsearch'];

/** `firedrill roles`: the least-privilege roles of a deployment (docs/security.md), printed or created. */
export function rolesCommand(): Command {
  return withDeploymentOption(
    withTargetOptions(
      new Command('roles').description(
        'print the least-privilege roles (deployer, engine, ingest, analyst) for OpenSearch security and Elasticsearch, or create them with --apply',
      ),
    ),
  )
    .option('--apply', 'create or update the roles in the target cluster (needs a security administrator)')
    .option('--json', 'print JSON')
    .action(async (options: RolesOptions) => {
      const roles = Object.values(firedrillRoles(options.deployment));
      if (!options.apply) {
        const requests = Object.fromEntries(
          DISTRIBUTIONS.map((d) => [d, roles.flatMap((role) => roleRequests(d, role))]),
        );
        process.stdout.write(
          options.json
            ? `${JSON.stringify(requests, null, 2)}\n`
            : DISTRIBUTIONS.map(
                (d) =>
                  `# ${d}\n${requests[d]!.map((r) => `${r.method} ${r.path}\n${JSON.stringify(r.body, null, 2)}`).join('\n\n')}\n`,
              ).join('\n'),
        );
        return;
      }
      const cluster = await connectTarget(options);
      try {
        for (const role of roles) await cluster.putRole(role);
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ applied: roles.map((r) => r.name) })}\n`
            : `created or updated ${roles.length} roles in ${cluster.info.distribution} at ${cluster.info.url}: ${roles.map((r) => r.name).join(', ')}\n`,
        );
      } finally {
        await cluster.close();
      }
    });
}
