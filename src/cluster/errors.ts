import { EXIT, FiredrillError } from '../errors.js';

const TLS_PATTERN =
  /certificate|self[- ]signed|SSL|TLS|CERT_|UNABLE_TO_VERIFY|unable to verify|wrong version number|EPROTO/i;

/**
 * A request that got no answer: the connection was refused or reset, or the answer did not come in time.
 * Sending it again may succeed; unless the connection was refused, the cluster may have carried it out.
 */
export class NoAnswer extends FiredrillError {
  constructor(
    message: string,
    /** Whether the cluster may have carried the request out (reset, timeout) or surely did not (refused). */
    readonly outcomeUnknown: boolean,
    cause: unknown,
  ) {
    super(message, { cause, exitCode: EXIT.unreachable });
    this.name = 'NoAnswer';
  }
}

/**
 * Maps a client error to one line a user can act on, naming the target (and, when known, the request:
 * a refusal then names the index or API as well as the privilege).
 */
export function clusterError(error: unknown, url: string, request?: string): FiredrillError {
  if (error instanceof FiredrillError) return error;
  const e = error as { message?: string; meta?: { statusCode?: number; body?: unknown }; name?: string };
  const message = e?.message ?? String(error);
  const status = e?.meta?.statusCode;
  if (status === 401)
    return new FiredrillError(
      `authentication failed at ${url} (401): set FIREDRILL_USERNAME and FIREDRILL_PASSWORD, or FIREDRILL_API_KEY`,
      { cause: error, exitCode: EXIT.refused },
    );
  if (status === 403)
    return new FiredrillError(
      `permission denied at ${url} (403)${request ? ` for ${request}` : ''}: ${reasonOf(e.meta?.body) ?? message}`,
      {
        cause: error,
        exitCode: EXIT.refused,
      },
    );
  if (/ECONNREFUSED/.test(message))
    return new NoAnswer(
      `cannot reach cluster at ${url}: connection refused (start one with 'firedrill cluster up' or pass --target)`,
      false,
      error,
    );
  if (/ENOTFOUND|EAI_AGAIN/.test(message))
    return new FiredrillError(`cannot reach cluster at ${url}: host not found`, {
      cause: error,
      exitCode: EXIT.unreachable,
    });
  if (/ECONNRESET|socket hang up|EPIPE/.test(message) && url.startsWith('http:'))
    return new NoAnswer(
      `cannot reach cluster at ${url}: connection reset (does the cluster expect https?)`,
      true,
      error,
    );
  if (TLS_PATTERN.test(message))
    return new FiredrillError(
      `TLS verification failed for ${url}: ${firstLine(message)} (trust its CA with FIREDRILL_CA_CERT, or pass --insecure)`,
      { cause: error, exitCode: EXIT.refused },
    );
  if (/timeout|timed out/i.test(message) || e?.name === 'TimeoutError')
    return new NoAnswer(`cluster at ${url} did not answer in time: ${firstLine(message)}`, true, error);
  if (/ECONNRESET|socket hang up|EPIPE/.test(message))
    return new NoAnswer(`cluster at ${url}: connection reset`, true, error);
  if (status)
    return new FiredrillError(`cluster at ${url} answered ${status}: ${reasonOf(e.meta?.body) ?? message}`, {
      cause: error,
    });
  return new FiredrillError(`cluster at ${url}: ${firstLine(message)}`, { cause: error });
}

/** The `type: reason` of an Elasticsearch/OpenSearch error body, if it has one. */
export function reasonOf(body: unknown): string | undefined {
  const err = (body as { error?: unknown } | undefined)?.error;
  // The OpenSearch security REST API answers `{status, message}` or `{status, reason}` instead.
  const plugin = body as { message?: unknown; reason?: unknown } | undefined;
  if (!err && typeof plugin?.message === 'string') return plugin.message;
  if (!err && typeof plugin?.reason === 'string') return plugin.reason;
  if (!err) return undefined;
  if (typeof err === 'string') return err;
  const root = err as { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[] };
  const cause = root.root_cause?.[0] ?? root;
  return [cause.type, cause.reason].filter(Boolean).join(': ') || undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
