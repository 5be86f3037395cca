export { DOCKER_NOT_RUNNING, dockerClient, dockerIsRunning } from './docker.js';
export { DISTRIBUTIONS } from './distributions.js';
export { firedrillImage, officialImage } from './images.js';
export { stopTestcontainersCluster, TestcontainersCluster } from './testcontainers-cluster.js';
