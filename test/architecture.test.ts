import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SOURCE_IDS } from '../src/sources/index.js';

/**
 * The layers of src/, in the order data flows (docs/architecture.md): a module may import its own layer
 * and the ones before it. Checked from the code's own imports.
 */
const LAYERS: Record<string, number> = {
  'errors.ts': 0,
  'printable.ts': 0,
  'redact.ts': 0,
  time: 0,
  layout: 0,
  sources: 0,
  cluster: 1,
  content: 1,
  providers: 2,
  compile: 2,
  security: 2,
  validate: 3,
  sigma: 3,
  deploy: 3,
  ingest: 4,
  replay: 5,
  engine: 6,
  alerts: 7,
  scenarios: 8,
  health: 8,
  reports: 9,
  cli: 10,
  testing: 10,
  'index.ts': 10,
};

/** Imports against the flow that are accepted, with why; at most two may ever be listed here. */
const ALLOWED_AGAINST_FLOW: string[] = [];

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function area(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

function imports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const edges = files.flatMap((from) =>
  imports(from)
    .filter((to) => to.endsWith('.ts'))
    .map((to) => ({ from, to })),
);

describe('the architecture, measured from the imports', () => {
  it('knows the layer of every folder of src/', () => {
    expect(files.map(area).filter((a) => LAYERS[a] === undefined)).toEqual([]);
  });

  it('has at most two imports against the data flow, each listed with its reason', () => {
    const against = edges
      .filter(({ from, to }) => LAYERS[area(from)]! < LAYERS[area(to)]!)
      .map(({ from, to }) => `${relative(SRC, from)} → ${relative(SRC, to)}`);
    expect(against).toEqual(ALLOWED_AGAINST_FLOW);
    expect(ALLOWED_AGAINST_FLOW.length).toBeLessThanOrEqual(2);
  });

  it('has no import circle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges)
      if (area(from) !== area(to)) graph.set(area(from), (graph.get(area(from)) ?? new Set()).add(area(to)));
    expect(circles(graph)).toEqual([]);
  });

  it('writes each log source id in one source file only: its registry module', () => {
    for (const id of SOURCE_IDS) {
      const writers = files.filter((file) => readFileSync(file, 'utf8').includes(`'${id}'`));
      expect(writers.map((f) => relative(SRC, f))).toEqual([`sources/${id}.ts`]);
    }
  });
});

/** Strongly connected groups of more than one folder (Tarjan): each is an import circle. */
function circles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        group.push(member);
        if (member === node) break;
      }
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return out;
}
