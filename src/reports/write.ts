import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readAttackTable } from '../content/attack.js';
import { redact } from '../redact.js';
import type { RunResult } from '../scenarios/results.js';
import { computeCoverage, type Coverage } from './coverage.js';
import { htmlReport } from './html.js';
import { junitReport } from './junit.js';
import { navigatorLayer } from './navigator.js';

export interface WrittenReports {
  coverage: Coverage;
  files: { json: string; junit: string; navigator: string; html: string };
}

/** The ATT&CK slice the content maps to (the package's when the content has none), for the gaps in the matrix. */
function attackTechniques(): ReturnType<ReturnType<typeof readAttackTable>['techniquesByTactic']> | undefined {
  try {
    return readAttackTable().techniquesByTactic();
  } catch {
    return undefined;
  }
}

/** Writes every report of a run into `dir`: results.json, junit.xml, attack-navigator.json, coverage.html. */
export async function writeReports(run: RunResult, dir: string): Promise<WrittenReports> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const coverage = computeCoverage(run);
  const files = {
    json: join(out, 'results.json'),
    junit: join(out, 'junit.xml'),
    navigator: join(out, 'attack-navigator.json'),
    html: join(out, 'coverage.html'),
  };
  // Reports are shared (CI artifacts): a failure message must not carry a credential into them.
  const write = (file: string, text: string) => writeFile(file, redact(text));
  await Promise.all([
    write(files.json, `${JSON.stringify({ ...run, coverage }, null, 2)}\n`),
    write(files.junit, junitReport(run)),
    write(files.navigator, `${JSON.stringify(navigatorLayer(coverage), null, 2)}\n`),
    write(files.html, htmlReport(run, coverage, { attack: attackTechniques() })),
  ]);
  return { coverage, files };
}
