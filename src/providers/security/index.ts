import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { createAuthority, issueCertificate, type KeyPair } from './certs.js';
import { ADMIN_USER, CERT_FILES, NODE_CN, securityIndexFiles, securityNodeSettings } from './config.js';

export { createAuthority, distinguishedName, issueCertificate, type KeyPair } from './certs.js';
export { ADMIN_USER } from './config.js';

/** What a client needs to reach a secured cluster: the CA to trust and the superuser's credentials. */
export interface ClusterCredentials {
  /** PEM file of the cluster's CA. */
  ca: string;
  username: string;
  password: string;
}

/** The Java class the security plugin registers (loaded from the classpath by the embedded launcher). */
export const SECURITY_PLUGIN_CLASS = 'org.opensearch.security.OpenSearchSecurityPlugin';

/** Files with keys or passwords: the owner alone may read them. */
async function writePrivate(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, content, { mode: 0o600 });
  // An existing file keeps its mode on write; set it either way.
  await chmod(path, 0o600);
}

/**
 * Secures the nodes whose config directories are given: a new CA (kept in `dir`: `ca.pem`, `ca-key.pem`),
 * one node certificate, the security plugin's settings in each `opensearch.yml` and its initial config
 * with a random superuser password. Returns what a client needs.
 */
export async function secureNodes(dir: string, nodeConfigDirs: string[]): Promise<ClusterCredentials> {
  const ca = createAuthority();
  const node = issueCertificate(ca, NODE_CN, 'server');
  const password = randomBytes(18).toString('base64url');
  const indexFiles = securityIndexFiles(password);
  await writePrivate(join(dir, 'ca-key.pem'), ca.key);
  await writePrivate(join(dir, 'ca.pem'), ca.cert);
  for (const config of nodeConfigDirs) {
    await writePrivate(join(config, CERT_FILES.ca), ca.cert);
    await writePrivate(join(config, CERT_FILES.cert), node.cert);
    await writePrivate(join(config, CERT_FILES.key), node.key);
    for (const [file, text] of Object.entries(indexFiles))
      await writePrivate(join(config, 'opensearch-security', file), text);
    await writePrivate(join(config, 'opensearch.yml'), stringify(securityNodeSettings()));
  }
  return { ca: join(dir, 'ca.pem'), username: ADMIN_USER, password };
}

/** A client certificate signed by the CA `secureNodes` left in `dir`; the cluster knows its holder as `commonName`. */
export async function issueClientCertificate(dir: string, commonName: string): Promise<KeyPair> {
  const ca: KeyPair = {
    cert: await readFile(join(dir, 'ca.pem'), 'utf8'),
    key: await readFile(join(dir, 'ca-key.pem'), 'utf8'),
  };
  return issueCertificate(ca, commonName, 'client');
}
