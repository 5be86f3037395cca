import pc from 'picocolors';
import type { HealthReport } from './health.js';

/** Human form of a health report: one block per source, then dead letters. */
export function formatHealth(report: HealthReport, color = false): string {
  const c = color ? pc : pc.createColors(false);
  const lines: string[] = [];
  for (const s of report.sources) {
    const mark =
      s.status === 'ok'
        ? c.green('ok')
        : s.status === 'no-data'
          ? c.red('NO DATA')
          : c.yellow(s.status.toUpperCase());
    const fresh = s.newest ? `, newest ${s.newest} (${age(s.ageMs)} ago)` : '';
    lines.push(`${c.bold(s.source)} ${c.dim(s.index)} — ${mark}: ${s.events} event(s)${fresh}`);
    if (s.events === 0) {
      if (s.rules.length)
        lines.push(`  ${s.rules.length} rule(s) search this source and see nothing: ${s.rules.join(', ')}`);
      continue;
    }
    const activities = Object.entries(s.activities).map(([k, v]) => `${k} ${v}`);
    lines.push(
      `  activities: ${activities.join(', ') || 'none'}${s.missingActivities.length ? c.yellow(` (never seen: ${s.missingActivities.join(', ')})`) : ''}`,
    );
    const actions = Object.entries(s.actions).map(([k, v]) => `${k} ${v}`);
    if (actions.length) lines.push(`  actions: ${actions.join(', ')}`);
    if (s.fields.length && s.relevant) {
      const fields = s.fields.map((f) => {
        const pct = Math.round((100 * f.populated) / s.relevant);
        const text = `${f.field} ${pct}%`;
        return f.populated === 0 ? c.red(text) : pct < 100 ? c.yellow(text) : text;
      });
      lines.push(`  fields the rules use (share of ${s.relevant} relevant events): ${fields.join(', ')}`);
    }
  }
  const bySource = Object.entries(report.deadLetters.bySource).map(([k, v]) => `${k} ${v}`);
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
