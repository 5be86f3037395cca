import { createPrivateKey, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate and its private key, both PEM (the key unencrypted PKCS#8, as the security plugin wants it). */
export interface KeyPair {
  cert: string;
  key: string;
}

/** Subject of every certificate firedrill issues; only the CN differs. */
const ORG = [{ shortName: 'O', value: 'firedrill' }];

/** The distinguished name the security plugin sees for a certificate issued here (RFC 2253 order). */
export function distinguishedName(commonName: string): string {
  return `CN=${commonName},O=firedrill`;
}

const DAY_MS = 86_400_000;

function newCertificate(
  commonName: string,
  days: number,
): { cert: forge.pki.Certificate; keys: forge.pki.rsa.KeyPair } {
  // forge hands RSA key generation to Node's native crypto when it can, so this takes milliseconds.
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // A positive serial: the top bit cleared.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  // A day of slack before now, for clocks a little apart.
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject([{ shortName: 'CN', value: commonName }, ...ORG]);
  return { cert, keys };
}

function pkcs8(key: forge.pki.rsa.PrivateKey): string {
  return createPrivateKey(forge.pki.privateKeyToPem(key)).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A local certificate authority: signs the node's and clients' certificates, trusted by firedrill's clients. */
export function createAuthority(days = 825): KeyPair {
  const { cert, keys } = newCertificate('firedrill local CA', days);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pkcs8(keys.privateKey) };
}

/**
 * A certificate signed by `ca`. Server certificates name the loopback host (the node serves HTTP and
 * transport with one, and nodes also present it as clients to each other); client ones identify a user by CN.
 */
export function issueCertificate(
  ca: KeyPair,
  commonName: string,
  use: 'server' | 'client',
  days = 825,
): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey;
  const { cert, keys } = newCertificate(commonName, days);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: use === 'server', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...(use === 'server'
      ? [
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
              { type: 7, ip: '::1' },
            ],
          },
        ]
      : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pkcs8(keys.privateKey) };
}
