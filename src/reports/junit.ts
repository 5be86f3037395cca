import type { RunResult } from '../scenarios/results.js';

/** JUnit XML for CI: one testsuite per run, one testcase per scenario, a <failure> per unmet expectation. */
export function junitReport(run: RunResult): string {
  const failures = run.scenarios.filter((s) => !s.passed).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = run.scenarios.map((s) => {
    const attrs = `name="${xml(s.name)}" classname="firedrill.scenarios.${xml(s.kind)}" file="${xml(s.file)}" time="${seconds(s.durationMs)}"`;
    const out = `<system-out>${xml(
      [
        `marker ${s.marker}`,
        `read ${s.ingest.read} / indexed ${s.ingest.indexed} / duplicates ${s.ingest.duplicates} / dead-lettered ${s.ingest.deadLettered}`,
        ...s.expectations.map((e) => `${e.passed ? 'ok' : 'FAIL'} ${e.kind} ${e.subject}: ${e.detail}`),
      ].join('\n'),
    )}</system-out>`;
    if (s.passed) return `    <testcase ${attrs}>\n      ${out}\n    </testcase>`;
    const failure = `<failure message="${xml(s.failures[0] ?? 'failed')}" type="ExpectationFailed">${xml(s.failures.join('\n'))}</failure>`;
    return `    <testcase ${attrs}>\n      ${failure}\n      ${out}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="firedrill" tests="${run.scenarios.length}" failures="${failures}" errors="0" time="${seconds(run.durationMs)}">`,
    `  <testsuite name="firedrill scenarios" tests="${run.scenarios.length}" failures="${failures}" errors="0" skipped="0" timestamp="${xml(run.startedAt)}" time="${seconds(run.durationMs)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Escapes text for XML attributes and content; drops characters XML 1.0 forbids. */
export function xml(text: string): string {
  return Array.from(text)
    .filter(allowedInXml)
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function allowedInXml(char: string): boolean {
  const code = char.codePointAt(0)!;
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code !== 0xfffe && code !== 0xffff);
}
