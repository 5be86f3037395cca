export { formatAlert } from './format.js';
export { listAlerts, type AlertFilter } from './list.js';
export type { AlertDocument, AlertEventSummary } from './types.js';
