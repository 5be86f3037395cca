/** Units largest first, with their milliseconds; a duration names each at most once, in this order. */
const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

// One optional `<number><unit>` group per unit; the lookahead makes the empty text no duration.
const BODY = `(?=\\d)${UNITS.map(([unit]) => `(?:(\\d+(?:\\.\\d+)?)${unit})?`).join('')}`;

/**
 * The one duration grammar of every file and flag: `500ms`, `90s`, `5m`, `1h30m`, `14d`, `1.5s`.
 * The JSON schemas use this pattern, so a file the schema accepts always parses.
 */
export const DURATION_PATTERN = `^${BODY}$`;

/** A duration that may carry a sign, for times relative to another (scenario `at`: `+5m`, `-3d`, `+1.5s`). */
export const OFFSET_PATTERN = `^([+-]?)${BODY}$`;

const DURATION = new RegExp(DURATION_PATTERN);
const OFFSET = new RegExp(OFFSET_PATTERN);

/** `90s`, `1h30m`, `500ms` → milliseconds; anything else throws a one-line reason. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`'${text}' is not a duration like 90s, 5m, 1h30m or 14d`);
  return parseOffset(text);
}

/** `+5m`, `-3d`, `90s` → signed milliseconds. */
export function parseOffset(text: string): number {
  const match = OFFSET.exec(text);
  if (!match) throw new Error(`'${text}' is not an offset like +5m, -3d or +1.5s`);
  const ms = UNITS.reduce((sum, [, unitMs], i) => sum + Number(match[i + 2] ?? 0) * unitMs, 0);
  return match[1] === '-' ? -ms : ms;
}

/** Whether the text is a duration (for grammars that also take other forms, like a time). */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}
