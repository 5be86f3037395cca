import type { Cluster } from '../cluster/index.js';

/**
 * What the engine keeps per rule (and per replay marker) in the engine-state index, `_id` = the rule id
 * (`<rule>@<marker>` for a marker): how far it has evaluated, what it saw there, and how it is doing.
 */
export interface RuleState {
  type: 'rule';
  rule_id: string;
  marker?: string;
  /** Live runs have evaluated every event ingested before this time (ISO-8601). */
  checkpoint?: string;
  /**
   * For each second (its start, epoch ms) of `event.ingested` in the late window behind the checkpoint: how many events
   * there were searchable when that second was evaluated. More now means late events: that second runs again.
   */
  visible?: Record<string, number>;
  last_run?: string;
  last_success?: string;
  /** The last run's error, until a run succeeds. */
  error?: string;
  /** Failed runs in a row; the rule backs off exponentially. */
  failures?: number;
  /** A failing rule is not evaluated again before this time. */
  retry_at?: string;
  /** Alerts written by live runs, in all. */
  alerts?: number;
  /** The engine process that last evaluated it. */
  owner?: string;
}

/** A rule's state with its version, so a write fails if another process wrote in between. */
export interface StoredState {
  state: RuleState;
  seqNo?: number;
  primaryTerm?: number;
}

/** The state document id of a rule, per replay marker so a replay never moves the live state. */
export function stateId(ruleId: string, marker: string | undefined): string {
  return marker ? `${ruleId}@${marker}` : ruleId;
}

/** Ids per request when reading states. */
const READ_BATCH = 1000;

/** The stored state of each rule that has one, as last saved. */
export async function readStates(
  cluster: Cluster,
  index: string,
  ruleIds: string[],
  marker: string | undefined,
): Promise<Map<string, StoredState>> {
  const out = new Map<string, StoredState>();
  for (let start = 0; start < ruleIds.length; start += READ_BATCH) {
    const ids = ruleIds.slice(start, start + READ_BATCH).map((id) => stateId(id, marker));
    // Realtime: the state the last run saved a moment ago, refreshed or not.
    for (const doc of await cluster.getDocs<RuleState>(index, ids))
      out.set(doc._source.rule_id, {
        state: doc._source,
        seqNo: doc._seq_no,
        primaryTerm: doc._primary_term,
      });
  }
  return out;
}

/**
 * Writes rule states, each only if it is still the version read (a new one only if none exists): a process
 * that lost a rule to another never overwrites that one's progress. Returns the rule ids that were refused.
 */
export async function writeStates(cluster: Cluster, index: string, states: StoredState[]): Promise<string[]> {
  if (states.length === 0) return [];
  const items = await cluster.bulk(
    states.map(({ state, seqNo, primaryTerm }) => {
      const _id = stateId(state.rule_id, state.marker);
      return seqNo === undefined
        ? { create: { _index: index, _id }, doc: state }
        : { index: { _index: index, _id, if_seq_no: seqNo, if_primary_term: primaryTerm }, doc: state };
    }),
  );
  const refused: string[] = [];
  items.forEach((item, i) => {
    if (item.status === 409) refused.push(states[i]!.state.rule_id);
    else if (item.status >= 300)
      throw new Error(
        `saving the state of ${states[i]!.state.rule_id} failed (${item.status}): ${item.error?.reason}`,
      );
  });
  return refused;
}

/** Every rule state of a deployment (live ones unless a marker is given), for `detect --status`. */
export async function allStates(cluster: Cluster, index: string, marker?: string): Promise<RuleState[]> {
  if (!(await cluster.indexExists(index))) return [];
  const out: RuleState[] = [];
  for await (const page of cluster.scroll<RuleState>(index, {
    query: {
      bool: {
        filter: [{ term: { type: 'rule' } }, ...(marker ? [{ term: { marker } }] : [])],
        must_not: marker ? [] : [{ exists: { field: 'marker' } }],
      },
    },
  }))
    out.push(...page.map((hit) => hit._source));
  return out.sort((a, b) => a.rule_id.localeCompare(b.rule_id));
}
