/** Secrets seen in this process (passwords, API keys, their encodings); nothing firedrill prints may contain one. */
const secrets = new Set<string>();

/** Shorter values would redact ordinary words; no credential firedrill accepts is that short. */
const MIN_SECRET_LENGTH = 4;

/** `scheme://user:pass@` (or a bare `user:pass@host`) in any text: the user info is replaced. */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@|^[^\s/:@]+:[^\s/@]*@(?=[^\s/@]+)/gi;

/**
 * Remembers credentials so `redact` removes them from every line firedrill prints: the value itself,
 * `user:password` and the base64 an `Authorization` header carries.
 */
export function rememberSecret(value: string | undefined, username?: string): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  secrets.add(encodeURIComponent(value));
  secrets.add(Buffer.from(value).toString('base64'));
  if (username !== undefined) {
    secrets.add(`${username}:${value}`);
    secrets.add(Buffer.from(`${username}:${value}`).toString('base64'));
  }
  // An Elasticsearch API key is base64 of `id:key`; the key alone is secret too.
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const key = /^[\w-]+:([\w-]{4,})$/.exec(decoded)?.[1];
  if (key) secrets.add(key);
}

/** Removes URL user info and every remembered secret from text meant for a terminal, a log or a report. */
export function redact(text: string): string {
  let out = text.replace(USER_INFO, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`);
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

/** Forgets every remembered secret (tests). */
export function forgetSecrets(): void {
  secrets.clear();
}
