import { FiredrillError } from '../../errors.js';

/** The optional packages the testcontainers provider needs (package.json `optionalDependencies`). */
export const TESTCONTAINERS_PACKAGES = [
  'testcontainers',
  '@testcontainers/opensearch',
  '@testcontainers/elasticsearch',
];

/**
 * Loads the testcontainers provider on use: its packages are optional (Docker only), so an install without
 * them runs everything else, and asking for this provider says in one line what to install.
 */
export async function loadTestcontainers(
  load: () => Promise<typeof import('./index.js')> = () => import('./index.js'),
): Promise<typeof import('./index.js')> {
  try {
    return await load();
  } catch (error) {
    if (isMissingPackage(error))
      throw new FiredrillError(
        `the testcontainers provider needs the optional packages ${TESTCONTAINERS_PACKAGES.join(', ')}: npm install ${TESTCONTAINERS_PACKAGES.join(' ')} (or use --provider embedded)`,
        { cause: error },
      );
    throw error;
  }
}

function isMissingPackage(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    TESTCONTAINERS_PACKAGES.some(
      (name) => e.message?.includes(`'${name}'`) || e.message?.includes(`"${name}"`),
    )
  );
}
