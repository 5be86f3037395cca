export { ExternalCluster } from './external.js';
