/** Why one Sigma construct cannot be converted exactly: the rule is left out, never approximated. */
export class Refusal extends Error {
  constructor(
    /** The construct, as the rule writes it: `detection.selection.eventName|base64`, `correlation.type`. */
    readonly construct: string,
    readonly reason: string,
    /** The document path to the construct, for its line. */
    readonly path: (string | number)[] = [],
  ) {
    super(`${construct}: ${reason}`);
    this.name = 'Refusal';
  }
}

/** One refused rule, as `file:line: construct: reason`. */
export interface RefusedRule {
  file: string;
  line?: number;
  /** The rule's title (or id), when it has one. */
  rule?: string;
  construct: string;
  reason: string;
}

export function formatRefusal(r: RefusedRule): string {
  return `${r.file}${r.line ? `:${r.line}` : ''}: ${r.rule ? `${r.rule}: ` : ''}${r.construct}: ${r.reason}`;
}
