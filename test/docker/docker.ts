import { ImageName } from 'testcontainers';
import {
  DOCKER_NOT_RUNNING,
  dockerClient,
  dockerIsRunning,
  ENGINES,
  firedrillImage,
} from '../../src/providers/testcontainers/index.js';

/**
 * Why the Docker tests cannot run here, or undefined when they can. With FIREDRILL_REQUIRE_DOCKER=1
 * (set by CI) a missing Docker or image is a failure, never a skip.
 */
export async function dockerSkipReason(): Promise<string | undefined> {
  const reason = !(await dockerIsRunning())
    ? DOCKER_NOT_RUNNING
    : !(await localImage(firedrillImage(ENGINES.opensearch.defaultVersion)))
      ? `image ${firedrillImage(ENGINES.opensearch.defaultVersion)} is not built: run bash docker/setup.sh`
      : undefined;
  if (reason && process.env.FIREDRILL_REQUIRE_DOCKER === '1')
    throw new Error(`FIREDRILL_REQUIRE_DOCKER=1 but ${reason}`);
  if (reason) console.warn(`Docker tests skipped: ${reason}`);
  return reason;
}

/** Local tags of a repository (official images exist here only if someone loaded them). */
export async function localImagesOf(repository: string): Promise<string[]> {
  const { dockerode } = (await dockerClient()).container;
  const images = await dockerode.listImages({ filters: { reference: [repository] } });
  return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith(`${repository}:`));
}

async function localImage(name: string): Promise<boolean> {
  return (await dockerClient()).image.exists(ImageName.fromString(name));
}

/** Whether Docker still knows the container (stopped clusters must leave none behind). */
export async function containerExists(id: string): Promise<boolean> {
  const { dockerode } = (await dockerClient()).container;
  return dockerode
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );
}
