const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `5m`, `1h`, `14d` → milliseconds (the rule schema admits nothing else). */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]*)(s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`'${text}' is not a duration like 30s, 5m, 1h or 14d`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
