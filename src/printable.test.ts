import { describe, expect, it } from 'vitest';
import { formatAlert } from './alerts/format.js';
import type { AlertDocument } from './engine/alert-document.js';
import { printable } from './printable.js';

describe('printable', () => {
  it('shows control characters, DEL, C1 and bidi controls as escapes and leaves the rest', () => {
    expect(printable('alice\x1b[2J\x07\x7f\x9b\u202egnp.exe')).toBe(
      'alice\\x1b[2J\\x07\\x7f\\x9b\\u202egnp.exe',
    );
    expect(printable('line\nnext\r\t')).toBe('line\\x0anext\\x0d\\x09');
    expect(printable('Zoë → ☃ 名前')).toBe('Zoë → ☃ 名前');
  });

  it('is applied to event data in `firedrill alerts` lines', () => {
    const alert = {
      rule: { id: 'r1' },
      user: { name: 'evil\x1b]0;pwned\x07', target: { name: 'bob\u202e' } },
      source: { ip: '203.0.113.9' },
      firedrill: { alert: { severity: 'high', first_event: '2024-03-05T10:00:00.000Z' }, marker: 'm\x1b' },
    } as unknown as AlertDocument;
    const line = formatAlert(alert);
    for (const raw of ['\x1b]', '\x07', '\u202e']) expect(line).not.toContain(raw);
    expect(line).toContain('evil\\x1b]0;pwned\\x07 → bob\\u202e');
    expect(line).toContain('[m\\x1b]');
  });
});
