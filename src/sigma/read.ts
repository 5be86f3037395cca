import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

/** One YAML document of a Sigma file, with the line of any path inside it. */
export interface SigmaDocument {
  file: string;
  /** Index of the document within its file (multi-document files). */
  index: number;
  value: Record<string, unknown>;
  /** 1-based line of the node at a path, or of the nearest ancestor that exists. */
  lineOf(path: (string | number)[]): number | undefined;
}

/** Files or folders (recursively, `*.yml` / `*.yaml`, sorted) → the Sigma files to read. */
export function sigmaFiles(inputs: string[]): string[] {
  return inputs.flatMap((input) => {
    if (!statSync(input).isDirectory()) return [input];
    return readdirSync(input, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) =>
        e.isDirectory()
          ? sigmaFiles([join(input, e.name)])
          : /\.ya?ml$/.test(e.name)
            ? [join(input, e.name)]
            : [],
      );
  });
}

/** Every document of a Sigma file; YAML syntax errors are thrown as `file:line: problem`. */
export function readSigmaFile(file: string, text = readFileSync(file, 'utf8')): SigmaDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  return docs.flatMap((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new Error(`${file}${line ? `:${line}` : ''}: ${error.message.split('\n')[0]}`);
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return [];
    const document: SigmaDocument = {
      file,
      index,
      value: (typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, unknown>,
      lineOf: (path) => lineOf(doc, lines, path),
    };
    return [document];
  });
}

function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    const at = node && (isMap(node) || isSeq(node) || 'range' in node) ? node.range?.[0] : undefined;
    if (at !== undefined) {
      // A map's range starts at its first key; a key's own line is that of its pair.
      return lines.linePos(at).line;
    }
  }
  return undefined;
}
