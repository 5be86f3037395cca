import type { RunResult, ScenarioResult, TimelineAlert } from '../scenarios/results.js';
import type { Coverage } from './coverage.js';
import { STATUS_COLORS } from './navigator.js';

export interface HtmlReportOptions {
  /** The ATT&CK slice the content maps to: its techniques no rule covers show in the matrix as gaps. */
  attack?: { tactic: { id: string; name: string }; techniques: { id: string; name: string }[] }[];
}

/** A self-contained HTML coverage report: no scripts, fonts or images from anywhere else. */
export function htmlReport(run: RunResult, coverage: Coverage, options: HtmlReportOptions = {}): string {
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
${coverage.tactics.map((tactic) => matrixColumn(tactic, coverage, options)).join('\n')}
  </div>
  ${coverage.unmapped.length ? `<p class="gap">Attack scenarios claim techniques no rule maps: ${coverage.unmapped.map(esc).join(', ')}</p>` : ''}
</section>
<section>
  <h2>Rules</h2>
  <table id="rules">
    <thead><tr><th>rule</th><th>severity</th><th>techniques</th><th>verdict per scenario</th><th>status</th></tr></thead>
    <tbody>
${coverage.rules
  .map(
    (r) => `      <tr data-rule="${esc(r.id)}" data-status="${r.status}">
        <td><code>${esc(r.id)}</code><br><small>${esc(r.name)}</small></td>
        <td>${esc(r.severity)}</td>
        <td>${r.techniques.map(esc).join(', ')}</td>
        <td>${
          ruleVerdicts(r.id, run)
            .map((v) => `<span class="${v.ok ? 'ok' : 'bad'}" data-verdict="${esc(v.scenario)}">${v.ok ? '✔' : '✘'} ${esc(v.scenario)} (${v.kind}): ${esc(v.verdict)}</span>`)
            .join('<br>') || '<em>no scenario names it</em>'
        }</td>
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
  <span class="badge covered">covered</span> a rule exists, no passing proof <span class="badge failing">failing</span> a scenario naming the rule failed
  <span class="badge uncovered">not covered</span> in the ATT&amp;CK slice the content maps, no rule yet</p>`;
}

/** What each scenario that names a rule made of it: fired as expected, stayed quiet as expected, or failed. */
export function ruleVerdicts(
  rule: string,
  run: RunResult,
): { scenario: string; kind: string; ok: boolean; verdict: string }[] {
  const verdicts: { scenario: string; kind: string; ok: boolean; verdict: string }[] = [];
  for (const s of run.scenarios) {
    const fired = s.alerts.filter((a) => a.rule === rule).length;
    for (const e of s.expectations) {
      if (e.kind === 'must_fire' && e.subject === rule)
        verdicts.push({
          scenario: s.name,
          kind: s.kind,
          ok: e.passed,
          verdict: e.passed ? 'fired as expected' : `failed: ${e.detail || 'did not fire as expected'}`,
        });
      else if (e.kind === 'must_not_fire' && (e.subject === rule || (e.subject === 'any' && fired > 0)))
        verdicts.push({
          scenario: s.name,
          kind: s.kind,
          ok: fired === 0,
          verdict: fired === 0 ? 'stayed quiet as expected' : `failed: fired ${fired} alert(s), must stay quiet`,
        });
    }
  }
  return verdicts;
}

function matrixColumn(
  tactic: { id: string; name: string },
  coverage: Coverage,
  options: HtmlReportOptions,
): string {
  const cells = coverage.techniques.filter((t) => t.tactics.some((x) => x.id === tactic.id));
  const covered = new Set(coverage.techniques.map((t) => t.id));
  const gaps = (options.attack?.find((a) => a.tactic.id === tactic.id)?.techniques ?? []).filter(
    (t) => !covered.has(t.id) && !cells.some((c) => c.id.startsWith(`${t.id}.`)),
  );
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
${gaps
  .map(
    (t) => `      <div class="technique uncovered" data-technique="${esc(t.id)}" data-status="uncovered">
        <b>${esc(t.id)}</b> ${esc(t.name)}
        <small>not covered</small>
      </div>`,
  )
  .join('\n')}
    </div>`;
}

function scenarioBlock(s: ScenarioResult): string {
  type Row = { time: string; kind: 'event' | 'alert'; html: string; keep: boolean };
  const expected = new Set(s.expectations.filter((e) => e.kind === 'must_fire').map((e) => e.subject));
  const unexpected = s.alerts.filter((a) => !expected.has(a.rule));
  const noisy = s.kind === 'benign' && unexpected.length > 0;
  const related = (e: { actor?: string; target?: string }) =>
    s.alerts.some((a) => relatedTo(a, e.actor) || relatedTo(a, e.target));
  const rows: Row[] = [
    ...s.events.map((e) => ({
      time: e.time,
      kind: 'event' as const,
      keep: related(e),
      html: `${esc(e.action)}${e.outcome && e.outcome !== 'success' ? ` <em>(${esc(e.outcome)})</em>` : ''} — ${esc(e.actor ?? '?')}${e.target ? ` → ${esc(e.target)}` : ''} <small>${esc(e.source)}</small>`,
    })),
    ...s.alerts.map((a) => ({
      time: a.time,
      kind: 'alert' as const,
      keep: true,
      html: `<b>ALERT</b> <code>${esc(a.rule)}</code> ${esc(a.severity ?? '')}${a.target ? ` target ${esc(a.target)}` : ''}${expected.has(a.rule) ? '' : ' <span class="unexpected">not expected</span>'}`,
    })),
  ].sort((a, b) => a.time.localeCompare(b.time) || (a.kind === 'event' ? -1 : 1));
  const first = rows[0] ? Date.parse(rows[0].time) : 0;
  const offset = (time: string) => formatOffset(Date.parse(time) - first);
  return `  <details class="scenario${noisy ? ' noisy' : ''}" data-scenario="${esc(s.name)}" data-passed="${s.passed}"${s.passed && !noisy ? '' : ' open'}>
    <summary><span class="${s.passed ? 'ok' : 'bad'}">${s.passed ? '✔' : '✘'}</span> <b>${esc(s.name)}</b> <small>${s.kind} · ${s.attack.map((a) => esc(a.technique)).join(', ')} · ${(s.durationMs / 1000).toFixed(1)} s · ${s.alerts.length} alert(s)</small>${noisy ? ` <span class="unexpected">raised ${unexpected.length} alert(s) it does not expect: ${[...new Set(unexpected.map((a) => esc(a.rule)))].join(', ')}</span>` : ''}</summary>
    <p>${esc(s.description)}</p>
    <ul class="expectations">
${s.expectations.map((e) => `      <li class="${e.passed ? 'ok' : 'bad'}" data-expectation="${esc(`${e.kind} ${e.subject}`)}">${e.passed ? '✔' : '✘'} <b>${esc(e.kind.replace(/_/g, ' '))}</b> <code>${esc(e.subject)}</code>${e.detail ? ` — ${esc(e.detail)}` : ''}</li>`).join('\n')}
    </ul>
    ${s.failures.length ? `<ul class="failures">${s.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
    <p class="counts">read ${s.ingest.read} / indexed ${s.ingest.indexed} / duplicates ${s.ingest.duplicates} / dead-lettered ${s.ingest.deadLettered}${s.ingest.malformed.length ? ` · malformed: ${s.ingest.malformed.map((m) => esc(`${m.file}:${m.line} (${m.reason})`)).join(', ')}` : ''}</p>
    <ol class="timeline">
${timeline(rows)
  .map((r) =>
    'skipped' in r
      ? `      <li class="more">… ${r.skipped} other event(s), ${offset(r.from)} to ${offset(r.to)}</li>`
      : `      <li class="${r.kind}"><time datetime="${esc(r.time)}">${offset(r.time)}</time> ${r.html}</li>`,
  )
  .join('\n')}
    </ol>
  </details>`;
}

/** Whether an event's actor or target is one an alert names (its events, for the timeline). */
function relatedTo(alert: TimelineAlert, name: string | undefined): boolean {
  return name !== undefined && (alert.actor === name || alert.target === name);
}

/**
 * Short timelines in full; long ones (volume scenarios replay thousands of events) keep every alert, the events
 * of the identities alerts name, and the first and last few, with each run of other events folded into one line.
 */
function timeline<R extends { time: string; kind: string; keep: boolean }>(
  rows: R[],
): (R | { skipped: number; from: string; to: string })[] {
  if (rows.length <= TIMELINE_LIMIT) return rows;
  const out: (R | { skipped: number; from: string; to: string })[] = [];
  let shownRelated = 0;
  let gap: R[] = [];
  const flush = () => {
    if (gap.length) out.push({ skipped: gap.length, from: gap[0]!.time, to: gap[gap.length - 1]!.time });
    gap = [];
  };
  rows.forEach((row, i) => {
    const edge = i < TIMELINE_EDGE || i >= rows.length - TIMELINE_EDGE;
    if (edge || row.kind === 'alert' || (row.keep && shownRelated++ < TIMELINE_LIMIT)) {
      flush();
      out.push(row);
    } else gap.push(row);
  });
  flush();
  return out;
}

/** Up to this many rows, a timeline is shown whole. */
const TIMELINE_LIMIT = 60;
/** Events kept at each end of a long timeline. */
const TIMELINE_EDGE = 5;

/** An offset from the first row, for people: `+0s`, `+45s`, `+1h15m`, `+2d3h` (the two largest units). */
export function formatOffset(ms: number): string {
  let seconds = Math.round(Math.max(0, ms) / 1000);
  if (seconds === 0) return '+0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(seconds / size);
    seconds -= n * size;
    if (n) parts.push(`${n}${unit}`);
  }
  return `+${parts.slice(0, 2).join('')}`;
}

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
.timeline li.alert{border-left-color:#d3453d;background:#fdecea}.timeline li.more{color:#777;font-style:italic}
.technique.uncovered,.badge.uncovered{background:#fff;color:#555;border:1px dashed #9aa1ad}
.scenario.noisy{border:2px solid #e0a526;background:#fff8e6}.unexpected{color:#8a5a00;background:#ffe8b0;border-radius:3px;padding:0 4px;font-size:12px}
.expectations{list-style:none;padding-left:0;font-size:13px}.timeline time{display:inline-block;width:64px;color:#666}
`;
