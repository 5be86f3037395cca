import { describe, expect, it } from 'vitest';
import { compileAll } from '../compile/index.js';
import type { Resource } from '../compile/types.js';
import { contentHash, managedMeta, stamp } from '../deploy/metadata.js';
import { layoutOf } from '../layout/index.js';
import { checkQuery, trustedRule } from './trust.js';

/** Every rule document as the deployer writes it for a deployment. */
function deployedDocuments(deployment: string): Record<string, unknown>[] {
  return compileAll({ deployment })
    .filter((r): r is Resource & { kind: 'rule' } => r.kind === 'rule')
    .map((r) => stamp(r, managedMeta(deployment, contentHash(r.body))));
}

/** A deployed document changed by `edit` and stamped again, as someone who can write the index could. */
function restamped(doc: Record<string, unknown>, edit: (body: Record<string, unknown>) => void) {
  const { firedrill_managed: meta, ...body } = structuredClone(doc);
  edit(body);
  return { ...body, firedrill_managed: { ...(meta as object), firedrill_hash: contentHash(body) } };
}

describe('trustedRule', () => {
  it('trusts every rule the deployer writes, in the default and in a named deployment', () => {
    for (const deployment of ['default', 'tenant-a']) {
      const docs = deployedDocuments(deployment);
      expect(docs.length).toBeGreaterThan(5);
      for (const doc of docs) expect(() => trustedRule(doc, layoutOf(deployment))).not.toThrow();
    }
  });

  const [query] = deployedDocuments('default').filter(
    (d) => (d.firedrill_rule as { type: string }).type === 'query',
  );
  const layout = layoutOf('default');

  it('refuses a document without the stamp, stamped for another deployment, or edited after stamping', () => {
    const { firedrill_managed: _, ...unstamped } = query!;
    expect(() => trustedRule(unstamped, layout)).toThrow(/no deployer stamp/);
    expect(() => trustedRule(query!, layoutOf('tenant-a'))).toThrow(/stamped for deployment 'default'/);
    const edited = structuredClone(query!);
    (edited.firedrill_rule as { severity: string }).severity = 'low';
    expect(() => trustedRule(edited, layout)).toThrow(/content hash/);
  });

  it('refuses a restamped rule whose compiled rule no longer matches its hash', () => {
    const doc = restamped(query!, (body) => {
      (body.firedrill_rule as { query: unknown }).query = { match_all: {} };
    });
    expect(() => trustedRule(doc, layout)).toThrow(/does not match its hash/);
  });

  it('refuses a percolator query that is not the rule’s own', () => {
    const doc = restamped(query!, (body) => {
      body.firedrill_percolator = { script: { script: 'true' } };
    });
    expect(() => trustedRule(doc, layout)).toThrow(/percolator query of its own/);
  });

  /** A rule fully re-hashed by someone who knows the algorithm: only the structural checks stand. */
  function rehashedRule(edit: (rule: Record<string, unknown>) => void) {
    return restamped(query!, (body) => {
      const rule = body.firedrill_rule as Record<string, unknown>;
      edit(rule);
      delete rule.hash;
      rule.hash = contentHash(rule);
      body.firedrill_rule_hash = rule.hash;
      body.firedrill_percolator = rule.query;
    });
  }

  it('refuses a script, a percolate query and a terms lookup even with consistent hashes', () => {
    const script = rehashedRule((rule) => {
      rule.query = { bool: { filter: [{ script: { script: { source: 'true' } } }] } };
    });
    expect(() => trustedRule(script, layout)).toThrow(/query form 'script'/);
    const percolate = rehashedRule((rule) => {
      rule.query = { percolate: { field: 'q', index: 'secrets', id: '1' } };
    });
    expect(() => trustedRule(percolate, layout)).toThrow(/query form 'percolate'/);
    const lookup = rehashedRule((rule) => {
      rule.query = { terms: { 'user.name': { index: 'secrets', id: '1', path: 'names' } } };
    });
    expect(() => trustedRule(lookup, layout)).toThrow(/terms lookup/);
  });

  it('refuses an index outside the deployment’s event patterns', () => {
    const foreign = rehashedRule((rule) => {
      rule.index = ['logs-aws.cloudtrail-*', '.opendistro_security'];
    });
    expect(() => trustedRule(foreign, layout)).toThrow(/index '.opendistro_security' is not one of/);
    const otherDeployment = rehashedRule((rule) => {
      rule.index = ['tenant-a-logs-aws.cloudtrail-*'];
    });
    expect(() => trustedRule(otherDeployment, layout)).toThrow(/tenant-a-logs-aws.cloudtrail-\*/);
  });
});

describe('checkQuery', () => {
  it('accepts every form the compiler produces', () => {
    expect(() =>
      checkQuery({
        bool: {
          filter: [
            { term: { 'event.action': 'CreateUser' } },
            { terms: { 'event.outcome': ['success', 'unknown'] } },
            { exists: { field: 'user.name' } },
            { prefix: { 'user.name': { value: 'svc-' } } },
            { wildcard: { 'user.agent': { value: '*aws-cli*' } } },
            { range: { 'firedrill.time.hour': { gte: 8, lt: 18 } } },
          ],
          should: [{ match_none: {} }],
          must_not: [{ bool: { must_not: [{ exists: { field: 'x' } }] } }],
          minimum_should_match: 1,
        },
      }),
    ).not.toThrow();
  });

  it('refuses extra keys that change what a form does', () => {
    expect(() => checkQuery({ wildcard: { f: { value: '*', rewrite: 'x' } } })).toThrow(/'rewrite'/);
    expect(() => checkQuery({ range: { f: { gte: 1, format: 'x' } } })).toThrow(/'format'/);
    expect(() => checkQuery({ term: { 'a b': 1 } })).toThrow(/not a field name/);
    expect(() => checkQuery({ term: { f: { value: 1 } } })).toThrow(/string, number or boolean/);
  });
});
