import { FiredrillError } from '../errors.js';
import type { LogSource } from '../sources/index.js';

/** The deployment every command uses unless told otherwise; its names carry no prefix. */
export const DEFAULT_DEPLOYMENT = 'default';

const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

// Names firedrill owns start with `firedrill-` (pipelines, templates, engine indices) or `logs-` (events).
const OWNED_NAME = /(^|[^A-Za-z0-9_.-])(firedrill-|logs-)/g;

/**
 * Every name firedrill gives a cluster resource, for one deployment: `default` uses the plain names
 * (`firedrill-alerts`, `logs-aws.cloudtrail-default`), any other deployment prefixes them with its name
 * (`drill-1-firedrill-alerts`, `drill-1-logs-aws.cloudtrail-default`), so copies share a cluster without
 * seeing each other's data — a rule's `logs-aws.cloudtrail-*` never matches another deployment's events.
 */
export class Layout {
  /** The prefix (`<deployment>-`), empty for the default deployment. */
  private readonly prefix: string;

  constructor(readonly deployment: string = DEFAULT_DEPLOYMENT) {
    checkDeploymentName(deployment);
    this.prefix = deployment === DEFAULT_DEPLOYMENT ? '' : `${deployment}-`;
  }

  /** Patterns covering every name this deployment owns (not the default deployment's: it owns no prefix). */
  get ownedPatterns(): string[] {
    return this.prefix ? [`${this.prefix}firedrill-*`, `${this.prefix}logs-*`] : [];
  }

  /** Renames every name a content body owns (resource ids, index names and patterns, pipeline references). */
  scope<T>(value: T): T {
    if (!this.prefix) return value;
    const rename = (node: unknown): unknown => {
      if (typeof node === 'string') return node.replace(OWNED_NAME, `$1${this.prefix}$2`);
      if (Array.isArray(node)) return node.map(rename);
      if (node && typeof node === 'object')
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rename(v)]));
      return node;
    };
    return rename(value) as T;
  }

  // --- pipelines ---

  /** The entry point for every raw record. */
  get routerPipeline(): string {
    return this.scope('firedrill-router');
  }

  sourcePipeline(source: LogSource): string {
    return this.scope(`firedrill-${source.id}`);
  }

  // --- event indices ---

  /** Where a source's events are indexed. */
  eventIndex(source: LogSource): string {
    return this.scope(`logs-${source.dataset}-default`);
  }

  /** What rules and the health check search for a source's events. */
  eventPattern(source: LogSource): string {
    return this.scope(`logs-${source.dataset}-*`);
  }

  /** Raw records are sent here, through the router, which moves each to its source's index. */
  get incomingIndex(): string {
    return this.scope('logs-firedrill.incoming-default');
  }

  /** Records that cannot be parsed or indexed, with their raw text and the reason. */
  get deadLetterIndex(): string {
    return this.scope('logs-firedrill.deadletter-default');
  }

  /** Every index replayed data can land in: the source indices and the dead letters. */
  get eventIndices(): string {
    return this.scope('logs-*');
  }

  // --- the detection engine ---

  /** Alert documents (an index template matches `<alerts>*`). */
  get alertsIndex(): string {
    return this.scope('firedrill-alerts');
  }

  /** One document per deployed rule, `_id` = rule id. */
  get rulesIndex(): string {
    return this.scope('firedrill-rules');
  }

  /** Per-rule checkpoints, leases and status. */
  get engineStateIndex(): string {
    return this.scope('firedrill-engine-state');
  }

  // --- the deployer ---

  /**
   * Deploy history and locks of every deployment: one index per cluster (never prefixed), so any deployment
   * can be listed and rolled back from it.
   */
  get historyIndex(): string {
    return 'firedrill-deployments';
  }
}

/** Deployment names end up in index names, document ids and pipeline descriptions: keep them plain. */
export function checkDeploymentName(name: string): string {
  if (!DEPLOYMENT_NAME.test(name))
    throw new FiredrillError(
      `invalid deployment name '${name}': use lowercase letters, digits, '.', '_' or '-' (at most 64)`,
    );
  // Its prefix would make its names look like the default deployment's (`logs-firedrill-alerts`).
  if (name === 'logs' || name === 'firedrill')
    throw new FiredrillError(`invalid deployment name '${name}': it is reserved`);
  return name;
}

const layouts = new Map<string, Layout>();

/** The layout of a deployment (default: `default`). */
export function layoutOf(deployment: string = DEFAULT_DEPLOYMENT): Layout {
  let layout = layouts.get(deployment);
  if (!layout) layouts.set(deployment, (layout = new Layout(deployment)));
  return layout;
}
