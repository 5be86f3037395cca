/**
 * `npm run bench [-- <section>...]`: runs every benchmark section (or the named ones) and prints one
 * table. A section is `bench/<area>.ts` exporting `bench<Area>(): Promise<BenchRow[]>`; adding the
 * file is all it takes. Sections that need a cluster use FIREDRILL_BENCH_TARGET or start their own.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError } from '../src/errors.js';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The target, as text beside the value, e.g. `≤ 30`. */
  goal?: string;
  /** Shown instead of the value, e.g. `skipped: Docker is not running`. */
  note?: string;
}

type Section = () => Promise<BenchRow[]>;

/** Cheap, foundational sections first; anything not listed follows alphabetically. */
const ORDER = ['cluster', 'deploy', 'ingest', 'engine', 'scenarios'];

const here = dirname(fileURLToPath(import.meta.url));

export function sectionNames(files: string[] = readdirSync(here)): string[] {
  const names = files
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'run.ts')
    .map((f) => basename(f, '.ts'));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function loadSection(name: string): Promise<Section> {
  const exportName = `bench${name[0]!.toUpperCase()}${name.slice(1)}`;
  const module = (await import(pathToFileURL(`${here}/${name}.ts`).href)) as Record<string, unknown>;
  const section = module[exportName];
  if (typeof section !== 'function') throw new Error(`bench/${name}.ts does not export ${exportName}()`);
  return () => (section as Section)();
}

function formatValue(row: BenchRow): string {
  if (row.note) return row.note;
  const value = Number.isInteger(row.value) ? String(row.value) : row.value.toFixed(2);
  return `${value} ${row.unit}`;
}

function printTable(rows: { section: string; row: BenchRow }[]): void {
  const cells = rows.map(({ section, row }) => [
    section,
    row.name,
    formatValue(row),
    row.goal ? `goal ${row.goal}` : '',
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const c of cells)
    process.stdout.write(
      `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}  ${c[3]}`.trimEnd() +
        '\n',
    );
}

async function main(args: string[]): Promise<void> {
  const available = sectionNames();
  const unknown = args.filter((a) => !available.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown section ${unknown.join(', ')}; available: ${available.join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const rows: { section: string; row: BenchRow }[] = [];
  for (const name of args.length > 0 ? available.filter((n) => args.includes(n)) : available) {
    process.stderr.write(`bench: ${name}…\n`);
    try {
      for (const row of await (await loadSection(name))()) rows.push({ section: name, row });
    } catch (error) {
      rows.push({
        section: name,
        row: { name: '(section)', value: NaN, unit: '', note: `failed: ${describeError(error)}` },
      });
      process.exitCode = 1;
    }
  }
  printTable(rows);
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) await main(process.argv.slice(2));
