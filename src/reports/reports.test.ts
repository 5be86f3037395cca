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

describe('ATT&CK Navigator layer', () => {
  it('scores each technique under each tactic by proof', () => {
    const layer = navigatorLayer(computeCoverage(sampleRun()));
    expect(layer.versions.layer).toBe('4.5');
    expect(layer.domain).toBe('enterprise-attack');
    expect(layer.techniques.map((t) => [t.techniqueID, t.tactic, t.score])).toEqual([
      ['T1078', 'persistence', 50],
      ['T1098.001', 'persistence', 10],
      ['T1098.001', 'privilege-escalation', 10],
      ['T1136.003', 'persistence', 100],
    ]);
    expect(tacticShortName('Command and Control')).toBe('command-and-control');
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
