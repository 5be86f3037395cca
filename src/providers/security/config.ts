import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { distinguishedName } from './certs.js';

/** The CN of the certificate every node serves and presents to the others. */
export const NODE_CN = 'firedrill-node';
/** The superuser the security plugin's own config creates; `firedrill roles --apply` runs as it. */
export const ADMIN_USER = 'admin';

/** Where a node's certificates live, relative to its config directory (the plugin resolves them there). */
export const CERT_FILES = { ca: 'certs/ca.pem', cert: 'certs/node.pem', key: 'certs/node-key.pem' };

/**
 * The OpenSearch security plugin's node settings: TLS on HTTP and transport from our own CA, the node
 * certificate's DN as the only one allowed to join, and the security index initialised from the files of
 * `securityIndexFiles()` on first start.
 */
export function securityNodeSettings(): Record<string, unknown> {
  const tls = (layer: 'http' | 'transport') => ({
    [`plugins.security.ssl.${layer}.pemcert_filepath`]: CERT_FILES.cert,
    [`plugins.security.ssl.${layer}.pemkey_filepath`]: CERT_FILES.key,
    [`plugins.security.ssl.${layer}.pemtrustedcas_filepath`]: CERT_FILES.ca,
  });
  return {
    ...tls('transport'),
    // Nodes reach each other by 127.0.0.1, which the certificate names; DNs are what admit a node.
    'plugins.security.ssl.transport.enforce_hostname_verification': false,
    'plugins.security.ssl.http.enabled': true,
    ...tls('http'),
    // Client certificates are accepted (clientcert domain below), not required: basic auth works too.
    'plugins.security.ssl.http.clientauth_mode': 'OPTIONAL',
    'plugins.security.nodes_dn': [distinguishedName(NODE_CN)],
    'plugins.security.allow_default_init_securityindex': true,
    'plugins.security.allow_unsafe_democertificates': false,
    'plugins.security.restapi.roles_enabled': ['all_access'],
    'plugins.security.system_indices.enabled': true,
    // The audit log would write an index per day on a dev cluster; nothing here reads it.
    'plugins.security.audit.type': 'noop',
  };
}

const meta = (type: string) => ({ _meta: { type, config_version: 2 } });

/**
 * The files of `config/opensearch-security/` the plugin loads into its index on first start: HTTP basic
 * auth against internal users, client certificates (user = CN), and one superuser. Roles and their users
 * are added later through the REST API (`firedrill roles --apply`).
 */
export function securityIndexFiles(adminPassword: string): Record<string, string> {
  const config = {
    ...meta('config'),
    config: {
      dynamic: {
        http: { anonymous_auth_enabled: false },
        authc: {
          clientcert_auth_domain: {
            description: 'a client certificate from the local CA; the user is its CN',
            http_enabled: true,
            transport_enabled: false,
            order: 0,
            http_authenticator: {
              type: 'clientcert',
              config: { username_attribute: 'cn' },
              challenge: false,
            },
            authentication_backend: { type: 'noop' },
          },
          basic_internal_auth_domain: {
            description: 'HTTP basic auth against the internal users',
            http_enabled: true,
            transport_enabled: true,
            order: 1,
            http_authenticator: { type: 'basic', challenge: true },
            authentication_backend: { type: 'intern' },
          },
        },
      },
    },
  };
  const users = {
    ...meta('internalusers'),
    // Cost 10 keeps the first start quick; the password itself is 24 random characters.
    [ADMIN_USER]: {
      hash: bcrypt.hashSync(adminPassword, 10),
      reserved: true,
      description: 'firedrill superuser',
    },
  };
  const mapping = { ...meta('rolesmapping'), all_access: { reserved: false, users: [ADMIN_USER] } };
  const yaml = (value: unknown) => stringify(value);
  return {
    'config.yml': yaml(config),
    'internal_users.yml': yaml(users),
    'roles_mapping.yml': yaml(mapping),
    'roles.yml': yaml(meta('roles')),
    'action_groups.yml': yaml(meta('actiongroups')),
    'tenants.yml': yaml(meta('tenants')),
    'nodes_dn.yml': yaml(meta('nodesdn')),
    'allowlist.yml': yaml({ ...meta('allowlist'), config: { enabled: false } }),
    'audit.yml': yaml({ ...meta('audit'), config: { enabled: false } }),
  };
}
