import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, connectOptionsFromEnv, type Cluster } from '../cluster/index.js';
import { contentHash } from '../deploy/metadata.js';
import { layoutOf } from '../layout/index.js';
import { EmbeddedCluster, recordStartedCluster, type StartedCluster } from '../providers/index.js';
import { issueClientCertificate } from '../providers/security/index.js';
import { firedrillRoles, ROLE_KINDS, type RoleKind } from './roles.js';

/**
 * The production path on a secured cluster: its own embedded OpenSearch node with the security plugin
 * (TLS on HTTP and transport, verified against the CA it reports), the four least-privilege roles each
 * doing its job through the real CLI and being refused, in one line, what it must not do.
 */
const run = promisify(execFile);
const DEPLOYMENT = 'sec';
const layout = layoutOf(DEPLOYMENT);

let started: StartedCluster;
let admin: Cluster;
let work: string;
const passwords = {} as Record<RoleKind | 'admin', string>;

/** `firedrill ...` in a child process as `user`, trusting the cluster's CA; never rejects. */
async function firedrill(
  user: RoleKind | 'admin' | undefined,
  args: string[],
  env: Record<string, string> = {},
  /** Stop it (SIGTERM) after this long, for commands that run until signalled. */
  stopAfterMs?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      ...(stopAfterMs ? { timeout: stopAfterMs, killSignal: 'SIGTERM' as const } : {}),
      env: {
        ...process.env,
        NO_COLOR: '1',
        FIREDRILL_STATE_DIR: join(work, 'state'),
        FIREDRILL_TARGET: started.url,
        FIREDRILL_CA_CERT: started.ca!,
        ...(user ? { FIREDRILL_USERNAME: user, FIREDRILL_PASSWORD: passwords[user] } : {}),
        ...env,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A refusal as the CLI must print it: exit 77 (docs/cli.md), one line on stderr, no stack trace. */
function expectOneLineRefusal(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(77);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

function expectNoSecret(...texts: string[]): void {
  for (const secret of Object.values(passwords))
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 16));
    }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-secured-'));
  started = await new EmbeddedCluster()
    .withSecurity()
    .withClusterName(`firedrill-secured-${process.pid}`)
    .start();
  passwords.admin = started.password!;
  admin = await connect(
    connectOptionsFromEnv(
      started.url,
      {},
      { caFile: started.ca, username: 'admin', password: started.password },
    ),
  );
  for (const role of Object.values(firedrillRoles(DEPLOYMENT))) await admin.putRole(role);
  for (const kind of ROLE_KINDS) {
    passwords[kind] = `Fd!${randomBytes(12).toString('base64url')}`;
    await admin.putUser(kind, passwords[kind], [firedrillRoles(DEPLOYMENT)[kind].name]);
  }
}, 300_000);

afterAll(async () => {
  await admin?.close();
  await started?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a secured embedded cluster', () => {
  it('serves HTTPS with the CA it reports, on loopback only, and refuses anonymous and plain-HTTP requests', async () => {
    expect(started.url).toMatch(/^https:\/\/localhost:\d+$/);
    const port = Number(new URL(started.url).port);
    for (const p of [port, port + 100]) {
      const listeners = await listeningAddresses(p);
      expect(listeners.length, `listeners on ${p}`).toBeGreaterThan(0);
      for (const address of listeners)
        expect(address, `port ${p}`).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    }
    // Verification is on: without the CA the certificate is refused.
    const noCa = await firedrill('admin', ['info'], { FIREDRILL_CA_CERT: '' });
    expectOneLineRefusal(noCa, /TLS verification failed for https:\/\/localhost:\d+: .*FIREDRILL_CA_CERT/);
    expectOneLineRefusal(await firedrill(undefined, ['info']), /authentication failed at .* \(401\)/);
    const plain = await firedrill('admin', ['info', '--target', started.url.replace('https:', 'http:')]);
    expect(plain.code).toBe(69);
    expectNoSecret(noCa.stderr, plain.stderr);
  });

  it('records what cluster up reports: url, ca, username and password, in a file only its owner can read', async () => {
    const state = join(work, 'state');
    process.env.FIREDRILL_STATE_DIR = state;
    try {
      await recordStartedCluster(started);
    } finally {
      delete process.env.FIREDRILL_STATE_DIR;
    }
    expect((await stat(join(state, 'cluster.json'))).mode & 0o777).toBe(0o600);
    const status = await firedrill(undefined, ['cluster', 'status', '--json'], {
      FIREDRILL_TARGET: '',
      FIREDRILL_CA_CERT: '',
    });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      url: started.url,
      ca: started.ca,
      username: 'admin',
      password: started.password,
      health: 'green',
    });
    // Without --json the password is not printed; commands use the recorded CA and superuser by themselves.
    const text = await firedrill(undefined, ['cluster', 'status'], {
      FIREDRILL_TARGET: '',
      FIREDRILL_CA_CERT: '',
    });
    expect(text.stdout).toContain(started.ca!);
    expectNoSecret(text.stdout, text.stderr);
    expect((await stat(started.ca!)).mode & 0o777).toBe(0o600);
  });
});

describe('least-privilege roles over TLS', () => {
  it('deployer deploys, ingest replays, engine detects live and backfills, analyst reads alerts and health', async () => {
    const deployed = await firedrill('deployer', ['deploy', '--deployment', DEPLOYMENT, '--yes']);
    expect(deployed.stderr).toBe('');
    expect(deployed.stdout).toMatch(/Deployed version 1 of 'sec'/);

    const replayed = await firedrill('ingest', [
      'replay',
      'scenarios/an1608/raw',
      '--deployment',
      DEPLOYMENT,
      '--shift-to',
      'now',
      '--marker',
      'sec-1',
    ]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/indexed 15 /);

    const live = await firedrill('engine', ['detect', '--once', '--deployment', DEPLOYMENT]);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toMatch(/[1-9]\d* new alert\(s\) from 18 rule\(s\)\n$/);

    const backfill = await firedrill('engine', [
      'detect',
      '--from',
      '2h',
      '--deployment',
      DEPLOYMENT,
      '--marker',
      'sec-1',
    ]);
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(backfill.stdout).toMatch(/new alert\(s\) from 18 rule\(s\)\n$/);

    const alerts = await firedrill('analyst', ['alerts', '--since', '400d', '--deployment', DEPLOYMENT]);
    expect(alerts.code, alerts.stderr).toBe(0);
    expect(alerts.stdout).toMatch(/an1608-aws-user-created-then-credential/);

    const health = await firedrill('analyst', ['health', '--deployment', DEPLOYMENT]);
    expect(health.stdout).toMatch(/aws-cloudtrail sec-logs-aws\.cloudtrail-\*/);
    expect(health.stderr).not.toMatch(/permission denied/);

    const status = await firedrill('engine', ['detect', '--status', '--deployment', DEPLOYMENT]);
    expect(status.code, status.stderr).toBe(0);

    // The continuous engine also takes leases and registers itself in the engine-state index.
    const continuous = await firedrill(
      'engine',
      ['detect', '--interval', '1s', '--deployment', DEPLOYMENT],
      {},
      12_000,
    );
    expect(continuous.stderr).toMatch(/detecting continuously/);
    expect(continuous.stderr).not.toMatch(/run failed|error/);
    expectNoSecret(
      deployed.stdout,
      replayed.stdout,
      live.stdout,
      alerts.stdout,
      health.stdout,
      status.stdout,
    );
  });

  it.each([
    [
      'analyst',
      ['deploy', '--yes'],
      /for POST \/firedrill-deployments\/_search: .*no permissions for \[indices:data\/read\/search\]/,
    ],
    // A live run first makes the rules' events searchable, which an analyst may not.
    [
      'analyst',
      ['detect', '--once'],
      /_refresh: security_exception: no permissions for \[indices:admin\/refresh\]/,
    ],
    [
      'analyst',
      ['replay', 'scenarios/an1608/raw', '--marker', 'x'],
      /no permissions for \[cluster:admin\/ingest\/pipeline\/get\]/,
    ],
    ['ingest', ['alerts'], /for POST \/sec-firedrill-alerts\/_search: .*\[indices:data\/read\/search\]/],
    ['ingest', ['deploy', '--yes'], /for POST \/firedrill-deployments\/_search/],
    ['engine', ['deploy', '--yes'], /for POST \/firedrill-deployments\/_search/],
    [
      'engine',
      ['cleanup', '--marker', 'sec-1'],
      /permission denied .*(indices:data\/write\/delete\/byquery|indices:data\/write)/,
    ],
    [
      'deployer',
      ['replay', 'scenarios/an1608/raw', '--marker', 'x'],
      /no permissions for \[indices:data\/write\/bulk\[s\], indices:data\/write\/index\]/,
    ],
    [
      'engine',
      ['roles', '--apply'],
      /for PUT \/_plugins\/_security\/api\/roles\/firedrill_deployer-sec: No permission to access REST API/,
    ],
  ] as const)('%s is refused %j in one line', async (user, args, pattern) => {
    const result = await firedrill(user, [...args, '--deployment', DEPLOYMENT]);
    expectOneLineRefusal(result, pattern);
    expectNoSecret(result.stdout, result.stderr);
  });

  it('a 403 in the middle of a deploy restores what the deploy had changed', async () => {
    // A deployer that may create its indices but not write rule documents: the last step fails.
    const role = firedrillRoles('sec-partial').deployer;
    role.indices = role.indices.map((entry) =>
      entry.names.includes(layout.historyIndex)
        ? entry
        : { ...entry, privileges: entry.privileges.filter((p) => p !== 'write') },
    );
    await admin.putRole(role);
    await admin.putUser('partial', passwords.deployer, [role.name]);
    const result = await firedrill(undefined, ['deploy', '--deployment', 'sec-partial', '--yes'], {
      FIREDRILL_USERNAME: 'partial',
      FIREDRILL_PASSWORD: passwords.deployer,
    });
    expect(result.code).toBe(77);
    expect(result.stderr).toMatch(/permission denied .*indices:data\/write/);
    expect(result.stderr).toMatch(/; restored the \d+ resource\(s\) it had changed\n$/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const left = layoutOf('sec-partial');
    expect(await admin.getPipeline(left.routerPipeline)).toBeUndefined();
    expect(await admin.indexExists(left.rulesIndex)).toBe(false);
    expect(Object.keys(await admin.getIndexTemplates(`${left.scope('logs-')}*`))).toEqual([]);
  });

  it('a client certificate from the CA authenticates its CN', async () => {
    const pair = await issueClientCertificate(started.dataDir!, 'cert-analyst');
    await writeFile(join(work, 'client.pem'), pair.cert);
    await writeFile(join(work, 'client-key.pem'), pair.key, { mode: 0o600 });
    await admin.request({
      method: 'PUT',
      path: `/_plugins/_security/api/rolesmapping/${firedrillRoles(DEPLOYMENT).analyst.name}`,
      body: { backend_roles: [firedrillRoles(DEPLOYMENT).analyst.name], users: ['cert-analyst'] },
    });
    const result = await firedrill(undefined, ['alerts', '--since', '400d', '--deployment', DEPLOYMENT], {
      FIREDRILL_CLIENT_CERT: join(work, 'client.pem'),
      FIREDRILL_CLIENT_KEY: join(work, 'client-key.pem'),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/an1608-/);
  });
});

describe('the engine distrusts the rules index', () => {
  it('refuses a tampered rule carrying a script or a foreign index, runs the others, and reports it', async () => {
    const original = (await admin.getDoc<Record<string, unknown>>(
      layout.rulesIndex,
      'an1608-aws-account-created-by-root',
    ))!;
    const tamper = async (id: string, edit: (rule: Record<string, unknown>) => void) => {
      const { firedrill_managed: meta, ...body } = structuredClone(original._source);
      const rule = body.firedrill_rule as Record<string, unknown>;
      rule.id = id;
      edit(rule);
      // Consistent hashes, as someone who read the code could make them: only the structural checks stand.
      delete rule.hash;
      rule.hash = contentHash(rule);
      Object.assign(body, {
        firedrill_rule_id: id,
        firedrill_rule_hash: rule.hash,
        firedrill_percolator: rule.query,
      });
      await admin.putDoc(
        layout.rulesIndex,
        id,
        {
          ...body,
          firedrill_managed: { ...(meta as object), firedrill_hash: contentHash(body) },
        },
        { refresh: true },
      );
    };
    await tamper('tampered-script', (rule) => {
      rule.query = { script: { script: { source: 'true' } } };
    });
    await tamper('tampered-index', (rule) => {
      rule.index = ['.opendistro_security'];
    });
    try {
      const result = await firedrill('engine', ['detect', '--once', '--deployment', DEPLOYMENT]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "refused tampered-index: refused: index '.opendistro_security' is not one of the deployment's event patterns",
      );
      expect(result.stderr).toContain(
        "refused tampered-script: refused: query form 'script' is not one the compiler produces",
      );
      expect(result.stdout).toMatch(/from 18 rule\(s\), 2 rule\(s\) failed\n$/);
      const status = await firedrill('engine', ['detect', '--status', '--json', '--deployment', DEPLOYMENT]);
      expect(JSON.parse(status.stdout)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            rule: 'tampered-script',
            refused: expect.stringMatching(/query form 'script'/),
          }),
        ]),
      );
    } finally {
      for (const id of ['tampered-script', 'tampered-index'])
        await admin.deleteDoc(layout.rulesIndex, id, { refresh: true });
    }
  });
});

describe('firedrill test and health over TLS, and redaction', () => {
  it('runs scenarios on the secured cluster and writes reports without credentials', async () => {
    const reports = join(work, 'reports');
    const result = await firedrill('admin', [
      'test',
      'scenarios/an1608/aws-account-creation-burst.yaml',
      'scenarios/an1608/aws-identity-center-user-listing.yaml',
      '--report-dir',
      reports,
    ]);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/passed: 2\/2 scenario\(s\)/);
    const json = await readFile(join(reports, 'results.json'), 'utf8');
    expect(json).toContain(started.url);
    expectNoSecret(json, result.stdout, result.stderr, await readFile(join(reports, 'junit.xml'), 'utf8'));
  });

  it('never prints a password, URL user info or API key, with or without --verbose', async () => {
    const url = new URL(started.url);
    const secret = passwords.analyst;
    const withUserInfo = `https://analyst:${encodeURIComponent(secret)}@${url.host}`;
    const outputs = [
      // An invalid URL is echoed in the error, without its user info.
      await firedrill(undefined, ['alerts', '--target', `https://analyst:${secret}@[bad`, '--verbose']),
      // User info in a valid URL works, and an error under --verbose still leaves it out.
      await firedrill(undefined, [
        'deploy',
        '--yes',
        '--deployment',
        DEPLOYMENT,
        '--target',
        withUserInfo,
        '--verbose',
      ]),
      // Environment credentials that fail (wrong password) or are refused.
      await firedrill(undefined, ['info', '--verbose'], {
        FIREDRILL_USERNAME: 'analyst',
        FIREDRILL_PASSWORD: `${secret}x`,
      }),
      // An API key (OpenSearch answers 401 to it).
      await firedrill(undefined, ['info', '--verbose'], {
        FIREDRILL_API_KEY: Buffer.from(`key-id:${secret}`).toString('base64'),
      }),
    ];
    expect(outputs[0]!.stderr).toMatch(/invalid target URL 'https:\/\/\*\*\*@\[bad'/);
    expect(outputs[1]!.stderr).toMatch(/permission denied/);
    expect(outputs[2]!.stderr).toMatch(/authentication failed/);
    expect(outputs[3]!.code).toBe(77);
    for (const { stdout, stderr } of outputs) {
      for (const text of [stdout, stderr]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
        expect(text).not.toContain(Buffer.from(`analyst:${secret}`).toString('base64'));
        expect(text).not.toContain(Buffer.from(`key-id:${secret}`).toString('base64'));
      }
    }
  });
});

/** Local addresses listening on a TCP port, from /proc/net/tcp and tcp6 (no connection is made). */
async function listeningAddresses(port: number): Promise<string[]> {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue;
      const [hex, portHex] = local.split(':');
      if (Number.parseInt(portHex!, 16) === port) out.push(procAddress(hex!));
    }
  }
  return out;
}

/** /proc/net's little-endian hex address as text (loopback forms spelled as usual). */
function procAddress(hex: string): string {
  const bytes = hex.match(/.{8}/g)!.flatMap((word) =>
    word
      .match(/../g)!
      .reverse()
      .map((b) => Number.parseInt(b, 16)),
  );
  if (bytes.length === 4) return bytes.join('.');
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 15) && bytes[15] === 1) return '::1';
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}
