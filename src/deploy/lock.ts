import { hostname, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../cluster/index.js';
import { FiredrillError } from '../errors.js';

export interface LockOptions {
  /** A crashed deploy's lock may be taken over after this long (default 15 min). */
  ttlMs?: number;
  /** How long to wait for a held lock before failing (default 0: fail at once). */
  waitMs?: number;
}

interface LockDoc {
  type: 'lock';
  deployment: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

export interface HeldLock {
  /** Pushes the expiry out again once a third of the TTL has passed; fails if the lock was taken over. */
  keepAlive(): Promise<void>;
  release(): Promise<void>;
}

const POLL_MS = 250;

/**
 * Takes the deployment's lock document with create-only semantics; an expired lock is taken
 * over with optimistic concurrency, so of two deploys racing for it exactly one wins.
 */
export async function acquireLock(
  cluster: Cluster,
  index: string,
  deployment: string,
  options: LockOptions = {},
): Promise<HeldLock> {
  const id = `lock:${deployment}`;
  const ttlMs = options.ttlMs ?? 15 * 60_000;
  const giveUpAt = Date.now() + (options.waitMs ?? 0);
  const holder = `${userInfo().username}@${hostname()} (pid ${process.pid})`;
  for (;;) {
    const now = new Date();
    const doc: LockDoc = {
      type: 'lock',
      deployment,
      holder,
      acquired_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttlMs).toISOString(),
    };
    let taken = await cluster.putDoc(index, id, doc, { opType: 'create' });
    if (taken.result === 'conflict') {
      const current = await cluster.getDoc<LockDoc>(index, id);
      if (!current) continue; // released in between: try again
      if (Date.parse(current._source.expires_at) <= now.getTime())
        taken = await cluster.putDoc(index, id, doc, {
          ifSeqNo: current._seq_no,
          ifPrimaryTerm: current._primary_term,
        });
      if (taken.result === 'conflict') {
        if (Date.now() >= giveUpAt)
          throw new FiredrillError(
            `deploy lock held by ${current._source.holder} since ${current._source.acquired_at} (expires ${current._source.expires_at}); try again later`,
          );
        await sleep(POLL_MS);
        continue;
      }
    }
    let mine = { ifSeqNo: taken._seq_no, ifPrimaryTerm: taken._primary_term };
    let renewedAt = Date.now();
    return {
      keepAlive: async () => {
        if (Date.now() - renewedAt < ttlMs / 3) return;
        const now = new Date();
        const renewed = await cluster.putDoc(
          index,
          id,
          { ...doc, expires_at: new Date(now.getTime() + ttlMs).toISOString() },
          mine,
        );
        if (renewed.result === 'conflict')
          throw new FiredrillError(`the deploy lock expired and was taken over (lock ttl ${ttlMs} ms)`);
        mine = { ifSeqNo: renewed._seq_no, ifPrimaryTerm: renewed._primary_term };
        renewedAt = now.getTime();
      },
      // Deletes only our own lock: if it expired and was taken over, the new holder keeps it.
      release: async () => void (await cluster.deleteDoc(index, id, mine)),
    };
  }
}
