import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from './connect.js';

// Real sockets, not mocks: a local server that answers like a secured cluster, so the client's own
// error paths (401, TLS verification) are exercised end to end.
const ROOT = {
  cluster_name: 'c',
  version: { number: '2.19.1', distribution: 'opensearch' },
  tagline: 'The OpenSearch Project',
};

function answer(req: IncomingMessage, res: ServerResponse): void {
  const ok = req.headers.authorization === `Basic ${Buffer.from('admin:right').toString('base64')}`;
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify(
      ok ? ROOT : { error: { type: 'security_exception', reason: 'missing authentication credentials' } },
    ),
  );
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'firedrill-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

describe('connect against a secured cluster', () => {
  const servers: Server[] = [];
  let httpUrl: string;
  let httpsUrl: string;

  beforeAll(async () => {
    const http = createHttpServer(answer);
    const https = createHttpsServer(selfSignedCertificate(), answer);
    servers.push(http, https);
    httpUrl = `http://127.0.0.1:${await listen(http)}`;
    httpsUrl = `https://127.0.0.1:${await listen(https)}`;
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it('names the target and the credential variables on wrong credentials', async () => {
    await expect(connect({ target: httpUrl, username: 'admin', password: 'wrong' })).rejects.toThrow(
      new RegExp(
        `^authentication failed at ${httpUrl} \\(401\\): set FIREDRILL_USERNAME and FIREDRILL_PASSWORD, or FIREDRILL_API_KEY$`,
      ),
    );
  });

  it('connects with the right credentials', async () => {
    const cluster = await connect({ target: httpUrl, username: 'admin', password: 'right' });
    expect(cluster.info).toMatchObject({ distribution: 'opensearch', version: '2.19.1' });
    await cluster.close();
  });

  it('refuses an untrusted certificate with one line that says how to proceed', async () => {
    await expect(connect({ target: httpsUrl, username: 'admin', password: 'right' })).rejects.toThrow(
      /^TLS verification failed for https:\/\/127\.0\.0\.1:\d+: .*self[- ]signed.* \(trust its CA with FIREDRILL_CA_CERT, or pass --insecure\)$/,
    );
  });

  it('connects to it with --insecure', async () => {
    const cluster = await connect({ target: httpsUrl, username: 'admin', password: 'right', insecure: true });
    expect(cluster.info.distribution).toBe('opensearch');
    await cluster.close();
  });
});
