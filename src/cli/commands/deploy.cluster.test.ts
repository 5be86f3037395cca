import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);

/** Runs the real CLI in a child process (stdin is not a terminal there); never rejects. */
async function firedrill(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return firedrillAt(['--target', inject('clusterUrl')], ...args);
}

async function firedrillAt(
  target: string[],
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args, ...target],
      { env: { ...process.env, NO_COLOR: '1' } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The CLI deploys the repository's content under the `default` deployment, as every user would.
describe('firedrill plan / deploy / rollback', () => {
  const changed = mkdtempSync(join(tmpdir(), 'firedrill-content-'));
  cpSync('pipelines', join(changed, 'pipelines'), { recursive: true });
  cpSync('detections', join(changed, 'detections'), { recursive: true });
  const gcp = join(changed, 'pipelines/gcp-audit/pipeline.yaml');
  writeFileSync(
    gcp,
    readFileSync(gcp, 'utf8').replace(/^description: .*$/m, 'description: GCP audit entry to ECS (edited)'),
  );
  afterAll(() => rmSync(changed, { recursive: true, force: true }));

  it('deploys the content, then plans no changes with exit code 0', async () => {
    const deployed = await firedrill('deploy', '--yes');
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toMatch(
      /(Deployed version \d+ of 'default' .*|No changes: \d+ resource\(s\) up to date\.)\n$/,
    );

    const planned = await firedrill('plan', '--detailed-exitcode');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/No changes: \d+ resource\(s\) up to date\.\n$/);
  });

  it('shows a field-level diff and exits 2 with --detailed-exitcode when content changed', async () => {
    const planned = await firedrill('plan', '--content', changed, '--detailed-exitcode');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(
      '  ~ pipeline firedrill-gcp-audit\n      ~ description: "GCP Cloud Audit Logs entry to ECS" → "GCP audit entry to ECS (edited)"\n',
    );
    const json = JSON.parse((await firedrill('plan', '--content', changed, '--json')).stdout);
    expect(json.counts).toMatchObject({ update: 1, create: 0, delete: 0 });
  });

  it('refuses to apply without --yes when stdin is not a terminal, changing nothing', async () => {
    const refused = await firedrill('deploy', '--content', changed);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toBe(
      'firedrill: error: not applying without confirmation: pass --yes (stdin is not a terminal)\n',
    );
    expect((await firedrill('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('deploys the change, lists it, and rolls it back', async () => {
    const deployed = await firedrill('deploy', '--content', changed, '--yes');
    expect(deployed.stdout).toMatch(
      /Deployed version (\d+) of 'default' to .*: 0 created, 1 updated, 0 deleted\.\n$/,
    );
    const version = Number(/Deployed version (\d+)/.exec(deployed.stdout)?.[1]);

    const listed = await firedrill('rollback', '--list');
    expect(listed.stdout).toMatch(new RegExp(`\\n +${version} +\\S+ +deploy +\\+0 ~1 -0 `));

    const rolled = await firedrill('rollback', '--yes');
    expect(rolled.stdout).toContain(
      `Rolled back 'default' on ${inject('clusterUrl')}; recorded as version ${version + 1}.`,
    );
    expect((await firedrill('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('deploys to a target named in the config with --env', async () => {
    const config = join(changed, 'firedrill.config.yaml');
    writeFileSync(config, `targets:\n  staging:\n    url: ${inject('clusterUrl')}\n`);
    const planned = await firedrillAt([], 'plan', '--env', 'staging', '--config', config);
    expect(planned.stderr).toBe('');
    expect(planned.stdout).toMatch(new RegExp(`^deployment 'default' at ${inject('clusterUrl')} `));
  });

  it('fails with one line for an unknown --env and a bad --to', async () => {
    const env = await firedrillAt([], 'deploy', '--env', 'nowhere', '--yes');
    expect(env.code).toBe(64);
    expect(env.stderr).toMatch(
      /^firedrill: error: no target 'nowhere' in firedrill.config.yaml \(known: .*\)\n$/,
    );
    const to = await firedrill('rollback', '--to', 'last');
    expect(to.stderr).toBe("firedrill: error: --to: 'last' is not a whole number of at least 1\n");
    expect(to.code).toBe(64);
  });

  it('--json: deploy --dry-run prints the plan as one document, rollback --list the versions', async () => {
    const planned = await firedrill('deploy', '--content', changed, '--dry-run', '--json');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as { applied: boolean; target: string; plan: { counts: object } };
    expect(plan).toMatchObject({ applied: false, target: inject('clusterUrl') });
    expect(plan.plan.counts).toMatchObject({ create: 0, delete: 0 });
    const listed = JSON.parse((await firedrill('rollback', '--list', '--json')).stdout) as {
      deployment: string;
      versions: { version: number }[];
    };
    expect(listed.deployment).toBe('default');
    expect(listed.versions.length).toBeGreaterThan(0);
    expect((await firedrill('deploy', '--json')).code).toBe(64);
  });
});
