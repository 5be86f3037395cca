/**
 * C0 and C1 control characters, DEL and the Unicode controls that reorder or hide text (bidi overrides,
 * isolates, zero-width marks): the characters event data could use to drive or deceive a terminal.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Text from event data (user names, user agents, file contents) made safe to print: every control
 * character is shown as a visible escape (`\x1b`, `\u202e`), so it can neither move the cursor, recolour,
 * retitle or clear a terminal nor make one line look like another.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
