import { redact } from './redact.js';

/**
 * An error a user can act on. The CLI prints `message` as one line and exits with `exitCode`;
 * stack traces appear only with `--verbose`.
 */
export class FiredrillError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FiredrillError';
    this.exitCode = options.exitCode ?? 1;
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
    super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${problem}`, { exitCode: 2 });
    this.name = 'ContentError';
  }
}

/** Several content errors at once, so `validate` can report every problem in one run. */
export class ContentErrors extends FiredrillError {
  constructor(readonly errors: ContentError[]) {
    super(errors.map((e) => e.message).join('\n'), { exitCode: 2 });
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
