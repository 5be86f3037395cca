import pc from 'picocolors';
import type { IngestCounts, RunResult } from '../scenarios/results.js';
import type { Coverage } from './coverage.js';
import { printable } from '../printable.js';

/** The ingest line every replay prints. */
export function countsLine(c: Omit<IngestCounts, 'malformed'>): string {
  return `read ${c.read} / indexed ${c.indexed} / duplicates ${c.duplicates} / dead-lettered ${c.deadLettered}`;
}

/** The human summary of a run: one line per scenario, the reasons under failures, then coverage. */
export function textSummary(run: RunResult, coverage: Coverage, color = false): string {
  const c = color ? pc : pc.createColors(false);
  const lines: string[] = [];
  for (const s of run.scenarios) {
    const mark = s.passed ? c.green('PASS') : c.red('FAIL');
    lines.push(`${mark} ${printable(s.name)} ${c.dim(`(${s.kind}, ${(s.durationMs / 1000).toFixed(1)} s, ${s.alerts.length} alert(s))`)}`);
    for (const f of s.failures) lines.push(`     ${c.red('✘')} ${printable(f)}`);
  }
  const passed = run.scenarios.filter((s) => s.passed).length;
  const proven = coverage.techniques.filter((t) => t.status === 'proven');
  lines.push('');
  lines.push(`coverage: ${coverage.techniques.length} technique(s) covered by ${coverage.rules.length} rule(s), ${proven.length} proven`);
  for (const t of coverage.techniques)
    lines.push(`  ${t.status === 'proven' ? c.green('●') : t.status === 'failing' ? c.red('●') : c.yellow('●')} ${t.id} ${t.name} — ${t.status}`);
  const unproven = coverage.rules.filter((r) => r.status !== 'proven');
  if (unproven.length) lines.push(`rules without passing proof: ${unproven.map((r) => r.id).join(', ')}`);
  lines.push(
    `${run.passed ? c.green('passed') : c.red('FAILED')}: ${passed}/${run.scenarios.length} scenario(s) in ${(run.durationMs / 1000).toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}
