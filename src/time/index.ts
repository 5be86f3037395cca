export { DURATION_PATTERN, isDuration, OFFSET_PATTERN, parseDuration, parseOffset } from './duration.js';
export { parseTime } from './time.js';
