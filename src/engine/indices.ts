/** Where the engine keeps its data; the deployer creates them from `compileEngineResources`. */
export const ENGINE_INDICES = {
  /** Alert documents (an index template matches `firedrill-alerts*`). */
  alerts: 'firedrill-alerts',
  /** One document per deployed rule, `_id` = rule id. */
  rules: 'firedrill-rules',
  /** Per-rule checkpoints. */
  state: 'firedrill-engine-state',
} as const;

export type EngineIndices = { [K in keyof typeof ENGINE_INDICES]: string };
