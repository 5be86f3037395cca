export { checkDeploymentName, DEFAULT_DEPLOYMENT, Layout, layoutOf } from './layout.js';
