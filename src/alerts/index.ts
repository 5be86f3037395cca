export { formatAlert } from './format.js';
export { readAlerts, type AlertFilter } from './read.js';
