/**
 * Scrubs credentials out of an error, in place: its message, stack, string
 * fields, envelope items and cause. Errors never hold request headers, so the
 * only way a secret gets in is as text someone echoed (a server's body, a custom
 * fetch's message, a credential passed by mistake as an argument).
 */
export const REDACTED = "[REDACTED]";

export function createRedactor(secrets: readonly string[]) {
  // Very short values would blank out ordinary words; real credentials are long.
  // Each also as it reads inside a JSON string (`"` and `\` escaped), the way a
  // server's envelope may echo it.
  const words: string[] = [];
  /**
   * Adds a secret for the client's lifetime (a TSIG secret the client sent or
   * received): from then on every error and log line it produces is scrubbed of it.
   */
  function remember(secret: string): void {
    if (secret.length < 4 || words.includes(secret)) return;
    const escaped = JSON.stringify(secret).slice(1, -1);
    // The escaped form first: it holds the plain one, so it must go as a whole.
    words.push(...(escaped === secret ? [secret] : [escaped, secret]));
  }
  secrets.forEach(remember);
  const scrub = (text: string): string =>
    words.reduce((out, word) => (out.includes(word) ? out.split(word).join(REDACTED) : out), text);
  const dirty = (text: unknown): text is string =>
    typeof text === "string" && words.some((w) => text.includes(w));

  function redactError<E extends Error>(error: E): E {
    if (words.length === 0) return error;
    const target = error as unknown as Record<string, unknown>;
    for (const key of [...Object.keys(target), "message", "stack"]) {
      const value = target[key];
      if (dirty(value)) target[key] = scrub(value);
      else if (Array.isArray(value)) target[key] = value.map(scrubItem);
    }
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && (dirty(cause.message) || dirty(cause.stack))) {
      const clean = new Error(scrub(cause.message));
      clean.name = cause.name;
      clean.stack = scrub(cause.stack ?? "");
      const code = (cause as { code?: unknown }).code;
      if (code !== undefined) (clean as { code?: unknown }).code = code;
      Object.defineProperty(error, "cause", { value: clean, configurable: true, writable: true });
    } else if (dirty(cause)) {
      Object.defineProperty(error, "cause", {
        value: scrub(cause),
        configurable: true,
        writable: true,
      });
    }
    return error;
  }

  /** A copy of an envelope item with every string in it scrubbed (a JSON round trip would re-escape them). */
  function scrubItem(item: unknown): unknown {
    if (typeof item === "string") return scrub(item);
    if (typeof item !== "object" || item === null) return item;
    if (Array.isArray(item)) return item.map(scrubItem);
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(item)) copy[key] = scrubItem(value);
    return copy;
  }

  return { scrub, redactError, remember };
}
