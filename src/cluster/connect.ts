import { FiredrillError } from '../errors.js';
import { Cluster } from './cluster.js';
import { clusterError } from './errors.js';
import { redact, rememberSecret } from '../redact.js';
import { createTransport } from './transports.js';
import type { ClusterInfo, ConnectOptions, Distribution } from './types.js';

interface RootInfo {
  cluster_name?: string;
  version?: { number?: string; distribution?: string };
  tagline?: string;
}

/**
 * Fills credentials and TLS settings from FIREDRILL_* environment variables where options omit them.
 * `fallback` (what `cluster up` recorded) applies last. Credentials go as a pair: a user from the URL or
 * the environment never borrows another source's password, and an API key or client certificate
 * replaces the fallback's basic auth.
 */
export function connectOptionsFromEnv(
  target: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ConnectOptions> = {},
  fallback: Partial<ConnectOptions> = {},
): ConnectOptions {
  // An empty variable (`FIREDRILL_CA_CERT=`) means unset, as in a shell.
  const fromEnv = (name: string) => env[name] || undefined;
  const url = target || fromEnv('FIREDRILL_TARGET');
  if (!url)
    throw new FiredrillError(
      'no target cluster: pass --target URL, set FIREDRILL_TARGET, or run `firedrill cluster up`',
    );
  const parsed = parseTarget(url);
  const apiKey = overrides.apiKey ?? fromEnv('FIREDRILL_API_KEY');
  const certFile = overrides.certFile ?? fromEnv('FIREDRILL_CLIENT_CERT');
  const basic =
    [
      overrides,
      parsed,
      { username: fromEnv('FIREDRILL_USERNAME'), password: fromEnv('FIREDRILL_PASSWORD') },
    ].find((source) => source.username) ?? (apiKey || certFile ? {} : fallback);
  rememberSecret(basic.password, basic.username);
  rememberSecret(apiKey);
  return {
    target: parsed.url,
    username: basic.username,
    password: basic.password,
    apiKey,
    certFile,
    keyFile: overrides.keyFile ?? fromEnv('FIREDRILL_CLIENT_KEY'),
    caFile: overrides.caFile ?? fromEnv('FIREDRILL_CA_CERT') ?? fallback.caFile,
    insecure: overrides.insecure ?? env.FIREDRILL_INSECURE === 'true',
    requestTimeoutMs: overrides.requestTimeoutMs,
  };
}

/** Splits `https://user:pass@host:9200` into a credential-free URL and its credentials. */
export function parseTarget(target: string): { url: string; username?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    throw new FiredrillError(`invalid target URL '${redact(target)}': expected e.g. http://localhost:9200`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new FiredrillError(`invalid target URL '${redact(target)}': scheme must be http or https`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), username, password };
}

/** Reads `GET /` and tells OpenSearch from Elasticsearch. */
export function detectDistribution(root: RootInfo): Distribution {
  if (root.version?.distribution === 'opensearch' || /opensearch/i.test(root.tagline ?? ''))
    return 'opensearch';
  return 'elasticsearch';
}

/**
 * Connects to a cluster, detecting distribution and version from `GET /`, and returns the
 * distribution-neutral Cluster. Fails with one line on unreachable targets, TLS or auth problems.
 */
export async function connect(options: ConnectOptions): Promise<Cluster> {
  if (options.insecure)
    process.stderr.write(
      `firedrill: warning: TLS verification is disabled for ${options.target} (--insecure)\n`,
    );
  // Any client can read `GET /`; the OpenSearch one does no product check, so it probes both distributions.
  const probe = createTransport('opensearch', options);
  let root: RootInfo;
  try {
    const res = await probe.request<RootInfo>({ method: 'GET', path: '/' });
    if (res.status === 401 || res.status === 403)
      throw clusterError({ message: '', meta: { statusCode: res.status, body: res.body } }, options.target);
    if (res.status !== 200 || typeof res.body !== 'object' || !res.body?.version?.number)
      throw new FiredrillError(
        `${options.target} does not look like Elasticsearch or OpenSearch (GET / answered ${res.status})`,
      );
    root = res.body;
  } catch (error) {
    throw clusterError(error, options.target);
  } finally {
    await probe.close();
  }
  const distribution = detectDistribution(root);
  const version = root.version?.number ?? '0';
  const info: ClusterInfo = {
    distribution,
    version,
    major: Number.parseInt(version, 10),
    clusterName: root.cluster_name ?? '',
    url: options.target,
  };
  if (distribution === 'elasticsearch' && info.major < 8 && info.major !== 7)
    throw new FiredrillError(
      `Elasticsearch ${version} at ${options.target} is not supported (need 7.x or 8.x)`,
    );
  return new Cluster(info, createTransport(distribution, options));
}
