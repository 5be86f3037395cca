import { redact } from './redact.js';

/**
 * The exit codes of every command (docs/cli.md), so a script or CI job can tell a failed verdict from broken
 * input or an unreachable cluster. Above 3 they follow BSD sysexits.h.
 */
export const EXIT = {
  /** Done; every verdict passed. */
  ok: 0,
  /** A verdict failed: a scenario, `validate` found problems, rules that failed to run. */
  failed: 1,
  /** `plan --detailed-exitcode` only: there are changes. */
  changes: 2,
  /** `replay` stopped (the cluster refused writes or went away); resumable with `--resume MARKER`. */
  stopped: 3,
  /** EX_USAGE: bad command line (unknown command or flag, bad value, missing argument, no --yes without a terminal). */
  usage: 64,
  /** EX_DATAERR: invalid content or config (`file:line: field: problem`) outside `validate`. */
  content: 65,
  /** EX_UNAVAILABLE: the cluster cannot be reached (refused, reset, unknown host, no answer in time). */
  unreachable: 69,
  /** EX_SOFTWARE: anything else (a write the cluster rejected, a held deploy lock, a provider that failed, a bug). */
  error: 70,
  /** EX_NOPERM: the cluster refused the credentials (401), the permission (403) or the TLS handshake. */
  refused: 77,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error a user can act on. The CLI prints `message` as one line and exits with `exitCode`;
 * stack traces appear only with `--verbose`.
 */
export class FiredrillError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, options: { cause?: unknown; exitCode?: ExitCode } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FiredrillError';
    this.exitCode = options.exitCode ?? EXIT.error;
  }
}

/** A bad command line: one line naming the flag, exit code 64, before any cluster is contacted. */
export class UsageError extends FiredrillError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.usage });
    this.name = 'UsageError';
  }
}

/** A content file (rule, pipeline, scenario, config) that is not valid; names file, line and field. */
export class ContentError extends FiredrillError {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${problem}`, {
      exitCode: EXIT.content,
    });
    this.name = 'ContentError';
  }
}

/** Several content errors at once, so `validate` can report every problem in one run. */
export class ContentErrors extends FiredrillError {
  constructor(readonly errors: ContentError[]) {
    super(errors.map((e) => e.message).join('\n'), { exitCode: EXIT.content });
    this.name = 'ContentErrors';
  }
}

/** The content problems an error carries; anything else is a bug and is rethrown. */
export function contentErrorsOf(error: unknown): ContentError[] {
  if (error instanceof ContentErrors) return error.errors;
  if (error instanceof ContentError) return [error];
  throw error;
}

/** One line for the user; unknown errors keep their message but never their stack, nor any credential. */
export function describeError(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}
