import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive } from './process.js';

const helper = fileURLToPath(new URL('./fixtures/start-embedded.ts', import.meta.url));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function waitUntil(condition: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(200);
  }
  return condition();
}

/** Starts an embedded cluster in a Node child, then kills that child with `signal`. */
async function killParent(signal: NodeJS.Signals) {
  const parent = spawn(process.execPath, ['--import', 'tsx', helper], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: parent.stdout! }).once('line', resolve);
    parent.once('exit', (code) => reject(new Error(`helper exited with ${code} before starting a cluster`)));
  });
  const jvm = JSON.parse(line) as { pid: number; dataDir: string; url: string };
  expect(isAlive(jvm.pid)).toBe(true);
  expect((await fetch(jvm.url)).status).toBe(200);
  parent.kill(signal);
  return jvm;
}

describe('no orphan JVM', () => {
  it.each(['SIGKILL', 'SIGINT'] as const)(
    'the JVM and its data go when the Node parent dies by %s',
    async (signal) => {
      const jvm = await killParent(signal);
      expect(await waitUntil(() => !isAlive(jvm.pid), 30_000)).toBe(true);
      expect(await waitUntil(async () => !(await exists(jvm.dataDir)), 5_000)).toBe(true);
    },
    240_000,
  );
});
