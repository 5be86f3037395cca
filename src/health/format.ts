import pc from 'picocolors';
import type { HealthReport } from './health.js';
import { printable } from '../printable.js';

/** Human form of a health report: one block per log source with its rules, then dead letters. */
export function formatHealth(report: HealthReport, color = false): string {
  const c = color ? pc : pc.createColors(false);
  const lines: string[] = [];
  const rules = new Map(report.rules.map((r) => [r.rule, r]));
  for (const s of report.sources) {
    const mark =
      s.status === 'ok' ? c.green('ok') : s.status === 'no-data' ? c.red('NO DATA') : c.yellow('STALE');
    const fresh = s.newest ? `, newest ${s.newest} (${age(s.ageMs)} ago)` : '';
    lines.push(`${c.bold(s.source)} ${c.dim(s.index)} — ${mark}: ${s.events} event(s)${fresh}`);
    if (s.events === 0) {
      if (s.rules.length)
        lines.push(`  ${s.rules.length} rule(s) search this source and see nothing: ${s.rules.join(', ')}`);
      continue;
    }
    const actions = Object.entries(s.actions).map(([k, v]) => `${printable(k)} ${v}`);
    if (actions.length) lines.push(`  actions the rules see: ${actions.join(', ')}`);
    for (const id of s.rules) {
      const rule = rules.get(id);
      if (!rule) continue;
      const blind = rule.queries.filter((q) => q.matching === 0).map((q) => q.name);
      const status = blind.length ? c.yellow(`BLIND (nothing matches: ${blind.join(', ')})`) : c.green('ok');
      lines.push(`  ${id}: ${status}, ${rule.matching} matching event(s)`);
      const partial = rule.fields.filter((f) => rule.matching > 0 && f.populated < rule.matching);
      if (partial.length)
        lines.push(
          `    fields not on every matching event: ${partial
            .map((f) => {
              const text = `${f.field} ${Math.round((100 * f.populated) / rule.matching)}%`;
              return f.populated === 0 ? c.red(text) : c.yellow(text);
            })
            .join(', ')}`,
        );
    }
  }
  const bySource = Object.entries(report.deadLetters.bySource).map(([k, v]) => `${printable(k)} ${v}`);
  lines.push(
    `dead letters: ${report.deadLetters.total}${bySource.length ? ` (${bySource.join(', ')})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function age(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
