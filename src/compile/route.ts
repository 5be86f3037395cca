import type { ProcessorEntry } from '../content/pipelines.js';
import { layoutOf } from '../layout/index.js';
import { painlessCondition, SOURCES } from '../sources/index.js';

/** Processors the compiler expands into real ones (src/compile/route.ts); never sent to a cluster as such. */
export const COMPILER_PROCESSORS: ReadonlySet<string> = new Set(['route_by_source']);

/**
 * What a `route_by_source` processor in the router pipeline compiles to, from the log-source registry:
 * one `set` per source that recognises its records (unless `firedrill.source` came with the record), a
 * `fail` for what no source recognises and for an unknown `firedrill.source`, then the source's pipeline.
 * Each generated processor has its own fixed tag, so a dead letter names the one that failed.
 */
export function routeBySource(): ProcessorEntry[] {
  const ids = SOURCES.map((s) => s.id);
  const titles = SOURCES.map((s) => s.title);
  return [
    ...SOURCES.map((source) => ({
      set: {
        tag: `recognise-${source.id}`,
        if: `ctx.firedrill?.source == null && (${painlessCondition(source.recognise)})`,
        field: 'firedrill.source',
        value: source.id,
      },
    })),
    {
      fail: {
        tag: 'reject-unrecognised',
        if: 'ctx.firedrill?.source == null',
        message: `not a record of ${list(titles, 'or')}: set firedrill.source`,
      },
    },
    {
      fail: {
        tag: 'reject-unknown-source',
        if: `!${JSON.stringify(ids).replace(/"/g, "'")}.contains(ctx.firedrill.source)`,
        message: `unknown firedrill.source [{{{firedrill.source}}}]: expected ${list(ids, 'or')}`,
      },
    },
    {
      pipeline: {
        tag: 'run-source-pipeline',
        name: layoutOf().sourcePipeline({ ...SOURCES[0]!, id: '{{{firedrill.source}}}' }),
      },
    },
  ];
}

function list(items: string[], last: string): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}
