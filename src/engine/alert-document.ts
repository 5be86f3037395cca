/** One value or several (ECS keeps a single value scalar). */
export type OneOrMany<T> = T | T[];

/** An event summary on an alert: a sequence step or a first-activity event. */
export interface AlertEventSummary {
  '@timestamp': string;
  step?: number;
  name?: string;
  event?: { action?: OneOrMany<string>; id?: OneOrMany<string>; outcome?: OneOrMany<string> };
  user?: { name?: OneOrMany<string>; target?: { name?: OneOrMany<string> } };
  source?: { ip?: OneOrMany<string> };
  user_agent?: { original?: OneOrMany<string> };
  firedrill: { index: string; id: string; credential?: { id?: OneOrMany<string> } };
}

/**
 * An alert document, exactly as the engine writes it (src/engine/alert.ts builds it against this type) and
 * every reader reads it; the fields are documented in docs/alerts.md.
 */
export interface AlertDocument {
  /** When the alert was written. */
  '@timestamp': string;
  event: { kind: 'alert'; id: string; severity: number; risk_score: number };
  rule: { id: string; name: string; type: string; description: string; version: string };
  threat?: {
    framework: string;
    tactic: { id: OneOrMany<string>; name: OneOrMany<string> };
    technique: {
      id: OneOrMany<string>;
      name: OneOrMany<string>;
      subtechnique?: { id?: OneOrMany<string>; name?: OneOrMany<string> };
    };
    analytic?: { id?: OneOrMany<string> };
  };
  tags?: string[];
  cloud?: { provider?: OneOrMany<string>; account?: { id?: OneOrMany<string> } };
  user?: { name?: OneOrMany<string>; target?: { name?: OneOrMany<string>; id?: OneOrMany<string> } };
  source?: { ip?: OneOrMany<string> };
  user_agent?: { original?: OneOrMany<string> };
  related?: { user?: OneOrMany<string>; ip?: OneOrMany<string> };
  firedrill: {
    marker?: string;
    actor?: { ids?: OneOrMany<string> };
    credential?: { id?: OneOrMany<string> };
    alert: {
      severity: string;
      group: string;
      anchor: string;
      first_event: string;
      last_event: string;
      event_count: number;
      source: { ids: string[]; indices: string[]; event_ids?: OneOrMany<string> };
      investigation?: string[];
      false_positives?: string[];
      steps?: AlertEventSummary[];
      first_activity?: AlertEventSummary[];
    };
  };
}
