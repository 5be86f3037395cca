import { ImageName } from 'testcontainers';
import type { Distribution } from '../../cluster/types.js';
import { FiredrillError } from '../../errors.js';
import { dockerClient } from './docker.js';
import { DISTRIBUTIONS } from './distributions.js';

/** The title label docker/opensearch/Dockerfile sets; it marks our image under any tag. */
const FIREDRILL_TITLE = 'firedrill/opensearch';

export const officialImage = (distribution: Distribution, version: string) =>
  `${DISTRIBUTIONS[distribution].repository}:${version}`;
export const firedrillImage = (version: string) => `${FIREDRILL_TITLE}:${version}`;

export interface ResolvedImage {
  name: string;
  /** Built from docker/opensearch (runner jars, FIREDRILL_NODES), not an official image. */
  firedrill: boolean;
}

/**
 * Picks the image to run. An explicit image is used as given (pulled when missing, unless it is
 * one of ours, which no registry has). Otherwise the official image when present locally, then
 * our locally built one; a distribution we build no image for gets its official image pulled.
 */
export async function resolveImage(
  distribution: Distribution,
  version: string,
  explicit?: string,
): Promise<ResolvedImage> {
  const client = await dockerClient();
  const present = (name: string) => client.image.exists(ImageName.fromString(name));
  const describe = async (name: string): Promise<ResolvedImage> => {
    const inspect = await client.image.inspect(ImageName.fromString(name));
    return {
      name,
      firedrill: inspect.Config?.Labels?.['org.opencontainers.image.title'] === FIREDRILL_TITLE,
    };
  };
  const pulled = async (name: string): Promise<ResolvedImage> => {
    if (name.startsWith(`${FIREDRILL_TITLE}:`)) throw imageMissing(name, setupHint(name));
    try {
      await client.image.pull(ImageName.fromString(name), { force: false, platform: undefined });
    } catch (error) {
      throw imageMissing(name, firstLine(error));
    }
    return describe(name);
  };

  if (explicit) return (await present(explicit)) ? describe(explicit) : pulled(explicit);
  const official = officialImage(distribution, version);
  if (await present(official)) return describe(official);
  if (!DISTRIBUTIONS[distribution].buildsLocally) return pulled(official);
  const ours = firedrillImage(version);
  if (await present(ours)) return describe(ours);
  throw imageMissing(ours, setupHint(ours));
}

function imageMissing(name: string, hint: string): FiredrillError {
  return new FiredrillError(`image ${name} not found locally and cannot be pulled: ${hint}`);
}

/** docker/setup.sh builds 2.19.1 unless told other versions. */
function setupHint(name: string): string {
  const version = name.slice(FIREDRILL_TITLE.length + 1);
  return version === DISTRIBUTIONS.opensearch.defaultVersion
    ? 'run bash docker/setup.sh'
    : `run FIREDRILL_OPENSEARCH_VERSIONS=${version} bash docker/setup.sh`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'the pull failed';
}
