import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { deploy, deployHistory } from './index.js';
import { contentSet, withBody } from './fixtures/content.js';
import { deployTestContext } from './fixtures/helpers.js';

const ctx = deployTestContext('lk');

const lockId = (deployment: string) => `lock:${deployment}`;

describe('deploy lock', () => {
  it('fails a second deploy while the first holds the lock, naming the holder', async () => {
    const resources = contentSet(ctx.prefix);
    let second: Promise<unknown> | undefined;
    const first = deploy(ctx.cluster, resources, {
      deployment: ctx.prefix,
      // Start the rival while the first deploy is between writes, lock held.
      onProgress: ({ step }) => {
        if (step === 1) second = deploy(ctx.cluster, resources, { deployment: ctx.prefix });
        return second?.catch(() => undefined).then(() => undefined);
      },
    });

    await expect(first).resolves.toMatchObject({ version: 1 });
    await expect(second).rejects.toThrow(
      /^deploy lock held by .+@.+ \(pid \d+\) since \d{4}-\d\d-\d\dT.+ \(expires .+\); try again later$/,
    );
    expect((await deployHistory(ctx.cluster, { deployment: ctx.prefix })).map((v) => v.version)).toEqual([1]);
  });

  it('lets a waiting deploy go after the first, re-planning what the first already did', async () => {
    const resources = contentSet(ctx.prefix);
    const changed = withBody(resources, `${ctx.prefix}-aws`, { processors: [] });
    let second: ReturnType<typeof deploy> | undefined;
    const first = deploy(ctx.cluster, resources, {
      deployment: ctx.prefix,
      onProgress: ({ step }) => {
        if (step === 1)
          second = deploy(ctx.cluster, changed, { deployment: ctx.prefix, lock: { waitMs: 30_000 } });
      },
    });

    await first;
    const result = await second!;
    // Planned before the first finished (7 creates), applied after it: only the real difference.
    expect(result.plan.counts).toMatchObject({ create: 0, update: 1 });
    expect(result.version).toBe(2);
  });

  it('keeps its lock alive through a deploy longer than the lock TTL', async () => {
    const resources = contentSet(ctx.prefix);
    let rival: Promise<unknown> | undefined;
    await deploy(ctx.cluster, resources, {
      deployment: ctx.prefix,
      lock: { ttlMs: 900 },
      // Settled into a value at once, so its rejection is never unhandled while the first deploy runs on.
      onProgress: async ({ step }) => {
        await sleep(400); // 7 steps: the whole deploy takes about three TTLs
        if (step === 5)
          rival = deploy(ctx.cluster, resources.slice(0, 1), { deployment: ctx.prefix, prune: true }).catch(
            (error: unknown) => error,
          );
      },
    });

    expect(String(await rival)).toMatch(/^FiredrillError: deploy lock held by /);
    expect((await deployHistory(ctx.cluster, { deployment: ctx.prefix })).map((v) => v.version)).toEqual([1]);
  });

  it('takes over an expired lock with optimistic concurrency', async () => {
    await deploy(ctx.cluster, contentSet(ctx.prefix).slice(0, 1), { deployment: ctx.prefix });
    await ctx.cluster.putDoc('firedrill-deployments', lockId(ctx.prefix), {
      type: 'lock',
      deployment: ctx.prefix,
      holder: 'crashed@ci-runner (pid 1)',
      acquired_at: '2024-03-05T10:00:00.000Z',
      expires_at: '2024-03-05T10:15:00.000Z',
    });

    const result = await deploy(ctx.cluster, contentSet(ctx.prefix), { deployment: ctx.prefix });

    expect(result.version).toBe(2);
    expect(await ctx.cluster.getDoc('firedrill-deployments', lockId(ctx.prefix))).toBeUndefined();
  });

  it('does not take over a live lock, and does not release a lock it does not hold', async () => {
    await deploy(ctx.cluster, contentSet(ctx.prefix).slice(0, 1), { deployment: ctx.prefix });
    const live = {
      type: 'lock',
      deployment: ctx.prefix,
      holder: 'alice@laptop (pid 42)',
      acquired_at: new Date().toISOString(),
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    };
    await ctx.cluster.putDoc('firedrill-deployments', lockId(ctx.prefix), live);

    await expect(deploy(ctx.cluster, contentSet(ctx.prefix), { deployment: ctx.prefix })).rejects.toThrow(
      `deploy lock held by alice@laptop (pid 42) since ${live.acquired_at}`,
    );
    expect((await ctx.cluster.getDoc('firedrill-deployments', lockId(ctx.prefix)))?._source).toEqual(live);
  });
});
