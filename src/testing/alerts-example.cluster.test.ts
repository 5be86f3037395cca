/**
 * A complete example of testing detections with `firedrill/testing` (docs/testing.md).
 * In your own project the imports are `from 'firedrill/testing'` and `connectFiredrill()` takes no
 * argument (the URL comes from `firedrillGlobalSetup`); here the repository's own setup provides it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import {
  cleanup,
  connectFiredrill,
  deployFiredrill,
  expectAlert,
  replayAndDetect,
  runScenario,
} from './index.js';

let cluster: Cluster;
const markers: string[] = [];

beforeAll(async () => {
  cluster = await connectFiredrill(inject('clusterUrl'));
  await deployFiredrill(cluster); // a no-op when the global setup already deployed the same content
});

// Replayed files keep their log source's event ids: remove each test's copies before the next replays them.
afterEach(async () => {
  for (const marker of markers.splice(0)) await cleanup(cluster, marker);
});

afterAll(async () => {
  await cluster.close();
});

describe('backdoor IAM user with an access key', () => {
  it('alerts on the create-then-credential sequence for the new user', async () => {
    const { marker, indexed } = await replayAndDetect(cluster, [
      'scenarios/an1608/raw/split-part-1.json',
      'scenarios/an1608/raw/split-part-2.json',
    ]);
    markers.push(marker);
    expect(indexed).toBe(3);

    const [alert] = await expectAlert(cluster, {
      rule: 'an1608-aws-user-created-then-credential',
      marker,
      count: 1,
      fields: { 'user.target.name': 'metrics-pusher' },
    });
    expect(alert!['firedrill.alert.event_count']).toBe(2);

    await expect(cluster).toHaveFiredAlert({ rule: 'an1608-aws-new-key-for-other-user-used', marker });
    await expect(cluster).not.toHaveFiredAlert({
      rule: 'an1608-aws-account-created-by-root',
      marker,
      timeoutMs: 500,
    });
  });

  it('fails with a message naming the rule, marker and what was seen', async () => {
    const { marker, indexed } = await replayAndDetect(cluster, ['scenarios/an1608/raw/split-part-1.json']);
    markers.push(marker);
    expect(indexed).toBe(1);
    await expect(
      expectAlert(cluster, { rule: 'an1608-aws-user-created-then-credential', marker, timeoutMs: 500 }),
    ).rejects.toThrow(
      `expected at least 1 alert from an1608-aws-user-created-then-credential for marker ${marker}, got 0`,
    );
  });
});

describe('scenarios from the library', () => {
  it('runs a benign look-alike exactly as `firedrill test` does', async () => {
    const result = await runScenario(cluster, 'scenarios/an1608/aws-self-key-rotation.yaml');
    expect(result.failures).toEqual([]);
    expect(result.passed).toBe(true);
  });
});
