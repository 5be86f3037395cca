import { describe, expect, it } from 'vitest';
import { computeCoverage } from './coverage.js';
import { junitReport } from './junit.js';
import { navigatorLayer, tacticShortName } from './navigator.js';
import { textSummary } from './summary.js';
import { sampleRun } from './fixtures/sample-run.js';

describe('coverage', () => {
  it('marks rules proven only by passing attack scenarios that expect them', () => {
    const coverage = computeCoverage(sampleRun());
    const byId = Object.fromEntries(coverage.rules.map((r) => [r.id, r.status]));
    expect(byId).toEqual({ 'rule-proven': 'proven', 'rule-failing': 'failing', 'rule-unproven': 'covered' });
    const tech = Object.fromEntries(coverage.techniques.map((t) => [t.id, t.status]));
    expect(tech).toEqual({ 'T1136.003': 'proven', 'T1098.001': 'failing', T1078: 'covered' });
    expect(coverage.tactics.map((t) => t.id)).toEqual(['TA0003', 'TA0004']);
    expect(coverage.unmapped).toEqual(['T1531']);
  });
});

/**
 * The fields the ATT&CK Navigator layer format 4.5 defines (attack-navigator layers/spec/v4.5/layerformat.md):
 * a layer holding anything else is not a 4.5 layer.
 */
const LAYER_FIELDS = [
  'name', 'versions', 'domain', 'description', 'filters', 'sorting', 'layout', 'hideDisabled', 'techniques',
  'gradient', 'legendItems', 'showTacticRowBackground', 'tacticRowBackground', 'selectTechniquesAcrossTactics',
  'selectSubtechniquesWithParent', 'selectVisibleTechniques', 'metadata', 'links',
];
const VERSIONS_FIELDS = ['attack', 'navigator', 'layer'];
const LAYOUT_FIELDS = [
  'layout', 'aggregateFunction', 'showID', 'showName', 'showAggregateScores', 'countUnscored', 'expandedSubtechniques',
];
const TECHNIQUE_FIELDS = [
  'techniqueID', 'tactic', 'comment', 'enabled', 'metadata', 'links', 'showSubtechniques', 'score', 'color',
];
const TACTICS = [
  'reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation',
  'defense-evasion', 'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control',
  'exfiltration', 'impact',
];

describe('ATT&CK Navigator layer', () => {
  it('scores each technique under each tactic by proof, listing parents with their sub-techniques shown', () => {
    const layer = navigatorLayer(computeCoverage(sampleRun()));
    expect(layer.versions.layer).toBe('4.5');
    expect(layer.domain).toBe('enterprise-attack');
    expect(layer.techniques.map((t) => [t.techniqueID, t.tactic, t.score, t.showSubtechniques])).toEqual([
      ['T1078', 'persistence', 50, true],
      ['T1098', 'persistence', undefined, true],
      ['T1098', 'privilege-escalation', undefined, true],
      ['T1098.001', 'persistence', 10, false],
      ['T1098.001', 'privilege-escalation', 10, false],
      ['T1136', 'persistence', undefined, true],
      ['T1136.003', 'persistence', 100, false],
    ]);
    expect(layer.layout.expandedSubtechniques).toBe('annotated');
    expect(tacticShortName('Command and Control')).toBe('command-and-control');
  });

  it('holds only fields the v4.5 format defines, with short comments', () => {
    const layer = navigatorLayer(computeCoverage(sampleRun())) as unknown as Record<string, unknown>;
    const extra = (value: object, allowed: string[]) => Object.keys(value).filter((k) => !allowed.includes(k));
    expect(extra(layer, LAYER_FIELDS)).toEqual([]);
    expect(extra(layer.versions as object, VERSIONS_FIELDS)).toEqual([]);
    expect(extra(layer.layout as object, LAYOUT_FIELDS)).toEqual([]);
    expect(extra(layer.filters as object, ['platforms'])).toEqual([]);
    for (const t of layer.techniques as Record<string, unknown>[]) {
      expect(extra(t, TECHNIQUE_FIELDS)).toEqual([]);
      expect(TACTICS).toContain(t.tactic);
      expect(t.techniqueID).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(String(t.comment ?? '').length).toBeLessThan(200);
      for (const m of (t.metadata ?? []) as object[]) expect(extra(m, ['name', 'value', 'divider'])).toEqual([]);
    }
    for (const item of layer.legendItems as object[]) expect(extra(item, ['label', 'color'])).toEqual([]);
  });

  it('cuts a long comment and keeps the whole list in metadata', () => {
    const run = sampleRun();
    const many = Array.from({ length: 30 }, (_, i) => ({ ...run.rules[0]!, id: `a-rather-long-rule-id-number-${i}` }));
    const layer = navigatorLayer(computeCoverage({ ...run, rules: [...run.rules, ...many] }));
    const entry = layer.techniques.find((t) => t.metadata?.filter((m) => m.name === 'rule').length === 31)!;
    expect(entry.comment!.length).toBeLessThanOrEqual(200);
    expect(entry.comment!.endsWith('…')).toBe(true);
  });
});

describe('JUnit XML', () => {
  it('has one testcase per scenario, failures with reasons, and escapes text', () => {
    const xml = junitReport(sampleRun());
    expect(xml).toMatch(/<testsuites name="firedrill" tests="3" failures="1"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<failure message="rule-failing: expected 1 alert, got 0 &lt;none&gt;" type="ExpectationFailed">');
    expect(xml).not.toMatch(/<none>/);
  });
});

describe('text summary', () => {
  it('lists each scenario with its reasons and the coverage', () => {
    const run = sampleRun();
    const text = textSummary(run, computeCoverage(run));
    expect(text).toContain('PASS attack-ok');
    expect(text).toContain('FAIL attack-broken');
    expect(text).toContain('✘ rule-failing: expected 1 alert, got 0 <none>');
    expect(text).toContain('T1136.003 Create Account: Cloud Account — proven');
    expect(text).toMatch(/FAILED: 2\/3 scenario\(s\)/);
  });
});
