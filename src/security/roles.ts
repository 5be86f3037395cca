import type { PortableRole } from '../cluster/roles.js';
import { DEFAULT_DEPLOYMENT, layoutOf } from '../layout/index.js';
import { SOURCES } from '../sources/index.js';

/** The four jobs firedrill separates; each runs under its own account. */
export const ROLE_KINDS = ['deployer', 'engine', 'ingest', 'analyst'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

/** `firedrill_engine` for the default deployment, `firedrill_engine-<deployment>` for any other. */
export function roleName(kind: RoleKind, deployment: string = DEFAULT_DEPLOYMENT): string {
  return deployment === DEFAULT_DEPLOYMENT ? `firedrill_${kind}` : `firedrill_${kind}-${deployment}`;
}

/**
 * The least-privilege roles of one deployment, every index named by src/layout. Pipelines and templates
 * are cluster-wide on both distributions (no per-name privilege exists), so only the deployer may touch any.
 */
export function firedrillRoles(deployment: string = DEFAULT_DEPLOYMENT): Record<RoleKind, PortableRole> {
  const layout = layoutOf(deployment);
  const eventPatterns = SOURCES.map((source) => layout.eventPattern(source));
  const ingestIndices = [layout.incomingIndex, ...eventPatterns, layout.deadLetterIndex];
  const alerts = `${layout.alertsIndex}*`;
  const monitor = {
    privileges: ['monitor' as const],
    why: 'GET / (which distribution and version), cluster health',
  };
  return {
    deployer: {
      name: roleName('deployer', deployment),
      description: `firedrill deploy, plan, rollback, prune and cleanup for deployment ${deployment}`,
      cluster: [
        { ...monitor, why: `${monitor.why}, the ingest processors the nodes support (validate, plan)` },
        {
          privileges: ['manage_pipelines', 'manage_templates'],
          why: 'install, update and remove the ingest pipelines and index/component templates',
        },
        {
          privileges: ['bulk', 'multi_read'],
          why: 'cleanup deletes a marker’s documents (delete-by-query writes in bulk); reading page by page',
        },
      ],
      indices: [
        {
          names: [layout.historyIndex],
          privileges: ['read', 'write', 'create_index', 'refresh'],
          why: 'deploy history (what rollback restores) and the deploy lock, shared by every deployment',
        },
        {
          names: [layout.scope('firedrill-*')],
          privileges: ['manage', 'read', 'write'],
          why: 'the engine indices (rules, state, alerts): find its stamped ones, create, remap and (prune, rollback) delete them; write and delete rule documents; cleanup deletes a marker’s alerts',
        },
        {
          names: ingestIndices,
          privileges: ['manage', 'read', 'delete'],
          why: 'cleanup deletes a marker’s events; prune and rollback remove indices the content no longer has',
        },
      ],
    },
    engine: {
      name: roleName('engine', deployment),
      description: `firedrill detect for deployment ${deployment}: reads events and rules, writes alerts and engine state`,
      cluster: [
        monitor,
        {
          privileges: ['simulate_pipelines'],
          why: 'read the ingest clock (simulating a one-processor pipeline)',
        },
        {
          privileges: ['bulk', 'multi_read'],
          why: 'write alerts and state in bulk; read state by id (mget); page through events (scroll)',
        },
      ],
      indices: [
        {
          names: eventPatterns,
          privileges: ['read', 'refresh'],
          why: 'search, aggregate (composite, date_histogram) and scroll events; every run refreshes them first',
        },
        {
          names: [layout.rulesIndex],
          privileges: ['read'],
          why: 'read the rules and percolate events against them',
        },
        {
          names: [alerts],
          privileges: ['read', 'write', 'create_index', 'refresh'],
          why: 'create alerts (create-only), update first activity, look up earlier alerts for suppression',
        },
        {
          names: [layout.engineStateIndex],
          privileges: ['read', 'write', 'refresh'],
          why: 'checkpoints, status, leases and members',
        },
      ],
    },
    ingest: {
      name: roleName('ingest', deployment),
      description: `firedrill replay for deployment ${deployment}: raw records through the router pipeline`,
      cluster: [
        monitor,
        { privileges: ['read_pipelines'], why: 'check that the router pipeline is deployed before sending' },
        { privileges: ['bulk'], why: 'send records in bulk' },
        {
          privileges: ['multi_read'],
          why: 'read back the dead letters of a run (mget) to print why each was refused',
        },
      ],
      indices: [
        {
          names: ingestIndices,
          privileges: ['create_doc', 'create_index', 'read', 'refresh'],
          why: 'create-only writes to the incoming index, which the router moves to each source’s index or the dead letters; count and summarise what landed',
        },
      ],
    },
    analyst: {
      name: roleName('analyst', deployment),
      description: `firedrill alerts and health for deployment ${deployment}: read-only`,
      cluster: [monitor, { privileges: ['multi_read'], why: 'page through alerts and events (scroll)' }],
      indices: [
        {
          names: [alerts],
          privileges: ['read', 'refresh'],
          why: 'list alerts (refreshed first, so a run’s alerts show)',
        },
        {
          names: [...eventPatterns, layout.deadLetterIndex, layout.rulesIndex],
          privileges: ['read'],
          why: 'health: which events and fields the deployed rules need, how fresh they are, what was dead-lettered',
        },
      ],
    },
  };
}
