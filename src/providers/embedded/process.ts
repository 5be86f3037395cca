import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAUNCHER_CLASS } from './runner.js';

/** How long a JVM gets to close its nodes after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 15_000;

/** JVMs still running that must not outlive this process; killed when this process exits or is signalled, so none outlives it. */
const attached = new Set<ChildProcess>();
let hooksInstalled = false;

/** Kills `child` if this process exits or is signalled first; the returned function lets go of it. */
export function killWithParent(child: ChildProcess): () => void {
  attached.add(child);
  child.once('exit', () => attached.delete(child));
  installHooks();
  return () => attached.delete(child);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = () => {
    for (const child of attached) child.kill('SIGTERM');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      // Alone, we would swallow the signal; re-raise it so the default (exit) still happens.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is still our launcher, so a recorded pid that the OS has since reused is never killed.
 * Without /proc (macOS) the pid is trusted.
 */
export async function isOurLauncher(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.includes(LAUNCHER_CLASS);
}

/** Stops a detached JVM by pid (what `cluster down` has): SIGTERM, then SIGKILL after the grace period. */
export async function stopPid(pid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  if (!(await isOurLauncher(pid))) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
}
