import type { RunResult, ScenarioResult } from '../scenarios/results.js';
import type { Coverage } from './coverage.js';
import { STATUS_COLORS } from './navigator.js';

/** A self-contained HTML coverage report: no scripts, fonts or images from anywhere else. */
export function htmlReport(run: RunResult, coverage: Coverage): string {
  const passed = run.scenarios.filter((s) => s.passed).length;
  const proven = coverage.techniques.filter((t) => t.status === 'proven').length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>firedrill coverage report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>firedrill coverage report</h1>
  <p class="meta">${esc(run.cluster.distribution)} ${esc(run.cluster.version)} at ${esc(run.cluster.url)} · ${esc(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s</p>
  <p class="verdict ${run.passed ? 'pass' : 'fail'}" id="verdict">${run.passed ? 'PASSED' : 'FAILED'}: ${passed}/${run.scenarios.length} scenarios passed · ${proven}/${coverage.techniques.length} techniques proven · ${coverage.rules.length} rules</p>
</header>
<main>
<section>
  <h2>ATT&amp;CK coverage</h2>
  ${legend()}
  <div class="matrix" id="matrix">
${coverage.tactics.map((tactic) => matrixColumn(tactic, coverage)).join('\n')}
  </div>
  ${coverage.unmapped.length ? `<p class="gap">Attack scenarios claim techniques no rule maps: ${coverage.unmapped.map(esc).join(', ')}</p>` : ''}
</section>
<section>
  <h2>Rules</h2>
  <table id="rules">
    <thead><tr><th>rule</th><th>severity</th><th>techniques</th><th>scenarios</th><th>status</th></tr></thead>
    <tbody>
${coverage.rules
  .map(
    (r) => `      <tr data-rule="${esc(r.id)}" data-status="${r.status}">
        <td><code>${esc(r.id)}</code><br><small>${esc(r.name)}</small></td>
        <td>${esc(r.severity)}</td>
        <td>${r.techniques.map(esc).join(', ')}</td>
        <td>${r.scenarios.map((s) => `<span class="${s.passed ? 'ok' : 'bad'}">${s.passed ? '✔' : '✘'} ${esc(s.name)} (${s.kind})</span>`).join('<br>') || '<em>none</em>'}</td>
        <td><span class="badge ${r.status}">${r.status}</span></td>
      </tr>`,
  )
  .join('\n')}
    </tbody>
  </table>
</section>
<section>
  <h2>Scenarios</h2>
${run.scenarios.map(scenarioBlock).join('\n')}
</section>
</main>
</body>
</html>
`;
}

function legend(): string {
  return `<p class="legend"><span class="badge proven">proven</span> a passing attack scenario made the rule fire
  <span class="badge covered">covered</span> a rule exists, no passing proof <span class="badge failing">failing</span> a scenario naming the rule failed</p>`;
}

function matrixColumn(tactic: { id: string; name: string }, coverage: Coverage): string {
  const cells = coverage.techniques.filter((t) => t.tactics.some((x) => x.id === tactic.id));
  return `    <div class="tactic" data-tactic="${esc(tactic.id)}">
      <h3>${esc(tactic.name)}<br><small>${esc(tactic.id)}</small></h3>
${cells
  .map(
    (t) => `      <div class="technique ${t.status}" data-technique="${esc(t.id)}" data-status="${t.status}" title="${esc(`rules: ${t.rules.join(', ')}`)}">
        <b>${esc(t.id)}</b> ${esc(t.name)}
        <small>${t.rules.length} rule(s)${t.provenBy.length ? `, proven by ${t.provenBy.length}` : ''}</small>
      </div>`,
  )
  .join('\n')}
    </div>`;
}

function scenarioBlock(s: ScenarioResult): string {
  type Row = { time: string; kind: 'event' | 'alert'; html: string };
  const rows: Row[] = [
    ...s.events.map((e) => ({
      time: e.time,
      kind: 'event' as const,
      html: `${esc(e.action)}${e.outcome && e.outcome !== 'success' ? ` <em>(${esc(e.outcome)})</em>` : ''} — ${esc(e.actor ?? '?')}${e.target ? ` → ${esc(e.target)}` : ''} <small>${esc(e.source)}</small>`,
    })),
    ...s.alerts.map((a) => ({
      time: a.time,
      kind: 'alert' as const,
      html: `<b>ALERT</b> <code>${esc(a.rule)}</code> ${esc(a.severity ?? '')}${a.target ? ` target ${esc(a.target)}` : ''}`,
    })),
  ].sort((a, b) => a.time.localeCompare(b.time) || (a.kind === 'event' ? -1 : 1));
  const first = rows[0] ? Date.parse(rows[0].time) : 0;
  const offset = (time: string) => `+${Math.round((Date.parse(time) - first) / 1000)}s`;
  return `  <details class="scenario" data-scenario="${esc(s.name)}" data-passed="${s.passed}"${s.passed ? '' : ' open'}>
    <summary><span class="${s.passed ? 'ok' : 'bad'}">${s.passed ? '✔' : '✘'}</span> <b>${esc(s.name)}</b> <small>${s.kind} · ${s.attack.map((a) => esc(a.technique)).join(', ')} · ${(s.durationMs / 1000).toFixed(1)} s</small></summary>
    <p>${esc(s.description)}</p>
    ${s.failures.length ? `<ul class="failures">${s.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
    <p class="counts">read ${s.ingest.read} / indexed ${s.ingest.indexed} / duplicates ${s.ingest.duplicates} / dead-lettered ${s.ingest.deadLettered}${s.ingest.malformed.length ? ` · malformed: ${s.ingest.malformed.map((m) => esc(`${m.file}:${m.line} (${m.reason})`)).join(', ')}` : ''}</p>
    <ol class="timeline">
${rows
  .slice(0, TIMELINE_LIMIT)
  .map((r) => `      <li class="${r.kind}"><time datetime="${esc(r.time)}">${offset(r.time)}</time> ${r.html}</li>`)
  .join('\n')}${rows.length > TIMELINE_LIMIT ? `\n      <li class="more">… ${rows.length - TIMELINE_LIMIT} more</li>` : ''}
    </ol>
  </details>`;
}

/** Volume scenarios replay thousands of events; the timeline shows the first ones. */
const TIMELINE_LIMIT = 60;

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2230;background:#f6f7f9}
header{background:#1d2230;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:20px}
.meta{opacity:.75;margin:0}.verdict{font-weight:600;margin:8px 0 0}.verdict.pass{color:#7ee29a}.verdict.fail{color:#ff8a80}
main{padding:8px 24px 40px;max-width:1200px}h2{font-size:17px;margin:24px 0 8px}
.matrix{display:flex;gap:8px;overflow-x:auto}.tactic{flex:1 1 180px;min-width:170px;background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:6px}
.tactic h3{font-size:13px;margin:0 0 6px;text-align:center}.technique{border-radius:4px;padding:6px;margin:4px 0;color:#fff;font-size:12px}
.technique small{display:block;opacity:.9}
.technique.proven,.badge.proven{background:${STATUS_COLORS.proven}}.technique.covered,.badge.covered{background:${STATUS_COLORS.covered}}
.technique.failing,.badge.failing{background:${STATUS_COLORS.failing}}
.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d8dce3;padding:6px;text-align:left;vertical-align:top}
th{background:#eceff3}.ok{color:#217a3c}.bad{color:#b3261e}.gap{color:#b3261e}
.scenario{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:6px 0;padding:6px 10px}
.scenario summary{cursor:pointer}.failures{color:#b3261e}.counts{color:#555;font-size:12px}
.timeline{list-style:none;padding-left:0;font-size:12px}.timeline li{padding:2px 0;border-left:3px solid #c7ccd6;padding-left:8px}
.timeline li.alert{border-left-color:#d3453d;background:#fdecea}.timeline time{display:inline-block;width:64px;color:#666}
`;
