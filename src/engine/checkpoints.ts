import type { Cluster } from '../cluster/index.js';
import { FiredrillError } from '../errors.js';

interface CheckpointDoc {
  rule_id: string;
  marker?: string;
  ingested_through: string;
  updated: string;
}

/** One checkpoint per rule, and per replay marker so an isolated replay never moves the live one. */
function checkpointId(ruleId: string, marker: string | undefined): string {
  return marker ? `${ruleId}@${marker}` : ruleId;
}

/** The `event.ingested` time (epoch ms) through which each rule has been evaluated. */
export async function readCheckpoints(
  cluster: Cluster,
  stateIndex: string,
  ruleIds: string[],
  marker: string | undefined,
): Promise<Map<string, number>> {
  if (ruleIds.length === 0) return new Map();
  const res = await cluster.search<CheckpointDoc>(stateIndex, {
    size: ruleIds.length,
    query: { ids: { values: ruleIds.map((id) => checkpointId(id, marker)) } },
  });
  return new Map(res.hits.hits.map((hit) => [hit._source.rule_id, Date.parse(hit._source.ingested_through)]));
}

/** Records, for each rule, that its events up to `through` (inclusive) are evaluated and their alerts written. */
export async function writeCheckpoints(
  cluster: Cluster,
  stateIndex: string,
  marker: string | undefined,
  done: { ruleId: string; through: number }[],
): Promise<void> {
  const updated = new Date().toISOString();
  const items = await cluster.bulk(
    done.map(({ ruleId, through }) => ({
      index: { _index: stateIndex, _id: checkpointId(ruleId, marker) },
      doc: {
        rule_id: ruleId,
        ...(marker ? { marker } : {}),
        ingested_through: new Date(through).toISOString(),
        updated,
      } satisfies CheckpointDoc,
    })),
    { refresh: true },
  );
  const failed = items.find((item) => item.status >= 300);
  if (failed)
    throw new FiredrillError(`saving checkpoints failed (${failed.status}): ${failed.error?.reason}`);
}
