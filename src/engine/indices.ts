/** The indices one engine installation uses; the deployer creates them from `compileEngineResources`. */
export interface EngineIndices {
  /** Alert documents (an index template matches `<alerts>*`). */
  alerts: string;
  /** One document per deployed rule, `_id` = rule id. */
  rules: string;
  /** Per-rule checkpoints. */
  state: string;
}

/** The indices of an installation named by `prefix`; several can share a cluster (tenants, tests). */
export function engineIndices(prefix = 'firedrill'): EngineIndices {
  return { alerts: `${prefix}-alerts`, rules: `${prefix}-rules`, state: `${prefix}-engine-state` };
}

export const ENGINE_INDICES: EngineIndices = engineIndices();
