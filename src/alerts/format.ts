import pc from 'picocolors';
import type { AlertDocument, OneOrMany } from '../engine/alert-document.js';
import { printable } from '../printable.js';

const SEVERITY_COLOUR: Record<string, (text: string) => string> = {
  critical: (t) => pc.bold(pc.red(t)),
  high: pc.red,
  medium: pc.yellow,
  low: pc.cyan,
};

/** Event data: printed with its control characters escaped. */
function list(value: OneOrMany<string> | undefined): string {
  if (value === undefined) return '';
  return printable(Array.isArray(value) ? value.join(',') : value);
}

/**
 * One alert as one readable line: when it happened, severity, rule, actor → target, source ip, keys, marker.
 * Times are the first evidence event (when the activity happened), in UTC.
 */
export function formatAlert(alert: AlertDocument): string {
  const severity = alert.firedrill.alert.severity;
  const colour = SEVERITY_COLOUR[severity] ?? ((t: string) => t);
  const parts = [
    alert.firedrill.alert.first_event.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    colour(severity.toUpperCase().padEnd(8)),
    pc.bold(printable(alert.rule.id)),
    `${list(alert.user?.name) || '?'} → ${list(alert.user?.target?.name) || '-'}`,
  ];
  if (alert.source?.ip) parts.push(`from ${list(alert.source.ip)}`);
  if (alert.firedrill.credential?.id) parts.push(`keys ${list(alert.firedrill.credential.id)}`);
  if (alert.firedrill.marker) parts.push(pc.dim(`[${printable(alert.firedrill.marker)}]`));
  return parts.join('  ');
}
