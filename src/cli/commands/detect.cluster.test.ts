import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import { EngineEnv, event, MINUTE, rule, type CompiledQueryRule } from '../../engine/fixtures/support.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const RULES = 20;
const EVENTS = 1000;

/** `firedrill <command>` as a separate process, the way an operator runs it. */
function firedrill(command: 'detect' | 'alerts', env: EngineEnv, args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, command, '--target', inject('clusterUrl'), '--deployment', env.name, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
}

const detect = (env: EngineEnv, args: string[]) => firedrill('detect', env, args);

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

describe('firedrill detect as a process: crash and restart lose nothing and duplicate nothing', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  const t0 = Date.now() - 30 * MINUTE;

  beforeAll(async () => {
    cluster = await connectTestCluster();
    env = new EngineEnv(cluster);
    const rules = Array.from({ length: RULES }, (_, i) =>
      rule<CompiledQueryRule>({
        id: `${env.name}-r${String(i).padStart(2, '0')}`,
        type: 'query',
        index: [env.events],
        groupBy: ['event.id'],
        maxAlerts: EVENTS,
        query: { bool: { filter: [{ term: { 'event.action': 'CreateUser' } }] } },
      }),
    );
    await env.deploy(rules);
    await env.ingest(
      Array.from({ length: EVENTS }, (_, i) =>
        event({
          '@timestamp': t0 + i * 1000,
          'event.action': 'CreateUser',
          'event.id': `e${i}`,
          // Ingested well before the engine starts, so its first run sees every event and the kill lands
          // in that run, before any checkpoint.
          'event.ingested': Date.now() - 10_000,
          'user.name': 'mallory',
          'user.target.name': `u${i}`,
        }),
      ),
    );
  });
  afterAll(async () => {
    await env.cleanup();
    await cluster.close();
  });

  const alertCount = () => cluster.count(env.layout.alertsIndex);
  const alertsIndexed = async () => {
    const res = await cluster.request<{ _all?: { primaries?: { indexing?: { index_total?: number } } } }>({
      method: 'GET',
      path: `/${env.layout.alertsIndex}/_stats/indexing`,
    });
    return res.status === 200 ? (res.body._all?.primaries?.indexing?.index_total ?? 0) : 0;
  };

  const ruleStates = async () => {
    await cluster.refresh(env.layout.engineStateIndex);
    return cluster.count(env.layout.engineStateIndex, { term: { type: 'rule' } });
  };

  it('SIGKILL between writing alerts and saving rule states, then restart: every alert exactly once', async () => {
    // A short lease, so the next test's engine takes the killed one's rules over quickly.
    const child = detect(env, ['--interval', '1s', '--lease', '3s']);
    const exit = exited(child);
    // Kill as soon as the first alerts are indexed: indexing stats see them before any refresh, so
    // the kill lands while the run is still writing, long before it saves checkpoints.
    await until(async () => (await alertsIndexed()) > 0, 60_000, 5);
    child.kill('SIGKILL');
    const killed = await exit;
    expect(killed.signal).toBe('SIGKILL');
    await cluster.refresh(env.layout.alertsIndex);
    const atKill = await alertCount();
    // Killed mid-run: some alerts written, no rule state saved yet.
    expect(atKill).toBeLessThan(RULES * EVENTS);
    expect(await ruleStates()).toBe(0);

    const restart = await exited(detect(env, ['--once']));
    expect(restart.code, restart.stderr).toBe(0);
    await cluster.refresh(env.layout.alertsIndex);
    expect(await alertCount()).toBe(RULES * EVENTS);
    expect(await ruleStates()).toBe(RULES);

    const again = await exited(detect(env, ['--once']));
    expect(again.code, again.stderr).toBe(0);
    await cluster.refresh(env.layout.alertsIndex);
    expect(await alertCount()).toBe(RULES * EVENTS);
  });

  it('SIGTERM stops the continuous engine cleanly after alerting new events', async () => {
    const child = detect(env, ['--interval', '1s']);
    const exit = exited(child);
    await env.ingest([
      event({
        '@timestamp': Date.now(),
        'event.action': 'CreateUser',
        'event.id': 'late-1',
        'user.name': 'trent',
      }),
    ]);
    await until(async () => (await alertCount()) === RULES * (EVENTS + 1));
    child.kill('SIGTERM');
    const stopped = await exit;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain('stopping after the current rule');
  });

  it('lists the alerts, readable or as JSON, and says when no rule matches', async () => {
    const json = await exited(
      firedrill('alerts', env, ['--rule', `${env.name}-r00`, '--limit', '3', '--json']),
    );
    expect(json.code, json.stderr).toBe(0);
    const alerts = JSON.parse(json.stdout) as { rule: { id: string } }[];
    expect(alerts.map((a) => a.rule.id)).toEqual(Array(3).fill(`${env.name}-r00`));
    const lines = await exited(firedrill('alerts', env, ['--rule', `${env.name}-r0*`, '--limit', '2']));
    expect(lines.stdout.trim().split('\n')).toHaveLength(2);
    expect(lines.stdout).toMatch(/HIGH +\S+-r0\d {2}(mallory|trent) → /);
    const none = await exited(detect(env, ['--once', '--rules', 'no-such-rule']));
    expect(none.code).toBe(0);
    expect(none.stderr).toContain("no enabled rule matches 'no-such-rule'");
  });
});
