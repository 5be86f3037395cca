import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import type { Cluster } from '../cluster/index.js';
import { compileAll } from '../compile/index.js';
import { deploy, removeDeployment } from '../deploy/index.js';
import { ingestRecords } from '../ingest/index.js';
import { layoutOf } from '../layout/index.js';
import { sourceById } from '../sources/index.js';
import { loadConfig } from '../validate/index.js';
import { ClusterClock } from './clock.js';
import { attackRecords, attackTargets } from './fixtures/attacks.js';
import { DEFAULT_SHARDS, LeaseKeeper } from './leases.js';
import type { RuleState } from './state.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const WAVE = 20;

/**
 * Two `firedrill detect` processes share one deployment's rules through leases. One is killed with SIGKILL
 * in the middle of the run: the other takes its rules over within the lease time, and every expected alert
 * is there exactly once — none lost with the dead process, none written twice by the two.
 */
describe('two engine processes', () => {
  let cluster: Cluster;
  const deployment = uniqueName('leases').toLowerCase();
  const layout = layoutOf(deployment);
  const trail = layout.eventIndex(sourceById('aws-cloudtrail')!);
  const children: ChildProcess[] = [];

  const engine = (): ChildProcess => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'detect',
        '--interval',
        '1s',
        '--lease',
        '4s',
        '--deployment',
        deployment,
        '--target',
        inject('clusterUrl'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    children.push(child);
    return child;
  };
  const owner = (child: ChildProcess) => `:${child.pid}`;
  const leases = async () => {
    await cluster.refresh(layout.engineStateIndex);
    const res = await cluster.search<{ owner: string; shard: number }>(layout.engineStateIndex, {
      size: 100,
      query: { term: { type: 'lease' } },
    });
    return res.hits.hits.map((h) => h._source);
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => {
    for (const deadline = Date.now() + timeoutMs; !(await check());) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  /** Ingests a wave and waits until every rule has run from after all of it was searchable. */
  const wave = async (first: number) => {
    const records = attackRecords(deployment, WAVE, 3000, first);
    const before = await cluster.count(trail);
    const summary = await ingestRecords(cluster, records, { deployment, batchSize: 2000 });
    expect(summary.indexed).toBe(records.length);
    await until(
      'the wave is searchable',
      async () => (await cluster.count(trail)) >= before + records.length,
    );
  };
  const caughtUp = async (since: number, by?: string) => {
    await cluster.refresh(layout.engineStateIndex);
    const res = await cluster.search<RuleState>(layout.engineStateIndex, {
      size: 100,
      query: { term: { type: 'rule' } },
    });
    const rules = res.hits.hits.map((h) => h._source);
    return (
      rules.length > 0 &&
      rules.every(
        // A run stamped a second after `since` began after it, whatever the engine's clock offset.
        (s) => Date.parse(s.last_success ?? '0') >= since + 1000 && (!by || s.owner?.endsWith(by)),
      )
    );
  };
  const targets = async (rule: string) => {
    await cluster.refresh(layout.alertsIndex);
    const res = await cluster.search<{ user?: { target?: { name?: string } } }>(layout.alertsIndex, {
      size: 10_000,
      query: { term: { 'rule.id': rule } },
      _source: ['user.target.name'],
    });
    return res.hits.hits.map((h) => String(h._source.user?.target?.name)).sort();
  };

  beforeAll(async () => {
    cluster = await connectTestCluster();
    await deploy(cluster, compileAll({ deployment, config: loadConfig() }), { deployment });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await removeDeployment(cluster, deployment);
    await cluster.close();
  });

  it('share the rules, and when one is killed the other takes its leases over: every alert exactly once', async () => {
    const a = engine();
    const b = engine();
    await until('both processes hold leases', async () => {
      const held = await leases();
      return held.some((l) => l.owner.endsWith(owner(a))) && held.some((l) => l.owner.endsWith(owner(b)));
    });

    await wave(0);
    // Killed in the middle of the run: it holds leases, and maybe alerts it wrote without saving state.
    a.kill('SIGKILL');
    await wave(WAVE);

    await until(
      'the survivor holds every lease',
      async () => {
        const held = await leases();
        return held.length === DEFAULT_SHARDS && held.every((l) => l.owner.endsWith(owner(b)));
      },
      60_000,
    );
    const searchable = await new ClusterClock(cluster).now();
    await until('the survivor has run every rule since', () => caughtUp(searchable, owner(b)));

    const expected = attackTargets(deployment, 2 * WAVE);
    expect(await targets('an1608-aws-user-created-then-credential')).toEqual(expected);
    expect(await targets('an1608-aws-access-key-for-other-user')).toEqual(expected);
    b.kill('SIGTERM');
  });
});

describe('a lease keeper', () => {
  let cluster: Cluster;
  const deployment = uniqueName('keeper').toLowerCase();
  const { engineStateIndex } = layoutOf(deployment);

  beforeAll(async () => {
    cluster = await connectTestCluster();
    await deploy(cluster, compileAll({ deployment, config: loadConfig() }), { deployment });
  });
  afterAll(async () => {
    await removeDeployment(cluster, deployment);
    await cluster.close();
  });

  it('renews its leases once a third of the lease time has passed, not on every run', async () => {
    let now = Date.now();
    const keeper = new LeaseKeeper(cluster, engineStateIndex, { now: async () => now }, 'keeper', 30_000);
    const writes = vi.spyOn(cluster, 'putDoc');
    await keeper.balance();
    // The membership and every shard.
    expect(writes).toHaveBeenCalledTimes(1 + DEFAULT_SHARDS);
    writes.mockClear();
    now += 9_000;
    await keeper.balance();
    expect(writes).not.toHaveBeenCalled();
    expect(keeper.shardsHeld).toHaveLength(DEFAULT_SHARDS);
    now += 2_000;
    await keeper.balance();
    expect(writes).toHaveBeenCalledTimes(1 + DEFAULT_SHARDS);
    expect(keeper.shardsHeld).toHaveLength(DEFAULT_SHARDS);
    // Renewed again with the versions it wrote, though its lease writes were never refreshed.
    now += 11_000;
    await keeper.balance();
    expect(keeper.shardsHeld).toHaveLength(DEFAULT_SHARDS);
    await keeper.release();
  });
});
