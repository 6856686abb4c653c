/**
 * Scrubs a recorded exchange before it is written as a fixture: credentials
 * (the token, the Global API Key, cookies) become "[REDACTED]", and what names a
 * real account (account and zone ids, emails, and the zone's name, peers and
 * configuration id when known) becomes a fixed placeholder, so fixtures are the
 * same whoever records them. Works on a copy; the input is never changed.
 */

export const REDACTED = "[REDACTED]";

/** The documentation's own example values, used in place of real ones. */
export const PLACEHOLDERS = {
  email: "user@example.com",
  zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
  accountId: "01a7362d577a6c3019a474fd6f485823",
  configId: "269d8f4853475ca241c4e730be286b20",
  peerIds: ["23ff594956f20c2a721606e94745a8aa", "00920f38ce07c2e2f4df50b1f61d4194"],
  zoneName: "www.example.com.",
};

/** Header and body keys whose value is a credential, whatever it looks like. */
const SECRET_KEYS =
  /^(authorization|proxy-authorization|x-auth-key|x-auth-user-service-key|cookie|set-cookie|api[-_]?key|api[-_]?token|token|secret|password|client[-_]?secret)$/i;
const EMAIL_KEYS = /^(x-auth-email|email)$/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const BEARER = /\b(Bearer|Basic)\s+(?!\[REDACTED\])[^\s"',;]+/gi;

/** The i-th placeholder of a kind: the base itself, then the base with its last 4 digits counting up. */
function nth(base, i) {
  return i === 0
    ? base
    : `${base.slice(0, -4)}${(parseInt(base.slice(-4), 16) + i).toString(16).padStart(4, "0").slice(-4)}`;
}

const stripDot = (name) => name.replace(/\.$/, "");
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * known: what to look for, each a list of real values:
 *   secrets (tokens, keys), emails, accountIds, zoneIds, configIds, peerIds, zoneNames.
 */
export function createScrubber(known = {}) {
  const replacements = [];
  const add = (real, fake) => {
    if (typeof real === "string" && real.length >= 4 && real !== fake)
      replacements.push([real, fake]);
  };
  const list = (key) => [
    ...new Set((known[key] ?? []).filter((v) => typeof v === "string" && v !== "")),
  ];
  for (const secret of list("secrets")) add(secret, REDACTED);
  list("emails").forEach((email) => add(email, PLACEHOLDERS.email));
  list("accountIds").forEach((id, i) => add(id.toLowerCase(), nth(PLACEHOLDERS.accountId, i)));
  list("zoneIds").forEach((id, i) => add(id.toLowerCase(), nth(PLACEHOLDERS.zoneId, i)));
  list("configIds").forEach((id, i) => add(id.toLowerCase(), nth(PLACEHOLDERS.configId, i)));
  list("peerIds").forEach((id, i) =>
    add(id.toLowerCase(), PLACEHOLDERS.peerIds[i] ?? nth(PLACEHOLDERS.peerIds[0], i)),
  );
  list("zoneNames").forEach((name, i) => {
    const fake = i === 0 ? PLACEHOLDERS.zoneName : `zone${i}.example.com.`;
    add(stripDot(name), stripDot(fake));
  });
  // Longest first, so a value inside another is not replaced half-way; case
  // folded, as ids and names may come back in other cases.
  replacements.sort((a, b) => b[0].length - a[0].length);
  const patterns = replacements.map(([real, fake]) => [new RegExp(escape(real), "gi"), fake]);

  function text(value) {
    let out = value;
    for (const [pattern, fake] of patterns) out = out.replace(pattern, fake);
    out = out.replace(BEARER, (_all, scheme) => `${scheme} ${REDACTED}`);
    return out.replace(EMAIL, (found) =>
      found === PLACEHOLDERS.email ? found : PLACEHOLDERS.email,
    );
  }

  function secretValue(key, item) {
    if (typeof item !== "string") return REDACTED;
    const scheme = /^(Bearer|Basic)\s/i.exec(item)?.[1];
    return scheme && /authorization/i.test(key) ? `${scheme} ${REDACTED}` : REDACTED;
  }

  /** A scrubbed deep copy of any JSON value; keys are scrubbed too. */
  function value(item, key = "") {
    if (SECRET_KEYS.test(key) && item !== null && item !== "") return secretValue(key, item);
    if (EMAIL_KEYS.test(key) && typeof item === "string" && item !== "") return PLACEHOLDERS.email;
    if (typeof item === "string") return text(item);
    if (Array.isArray(item)) return item.map((entry) => value(entry, key));
    if (item && typeof item === "object") {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [text(k), value(v, k)]));
    }
    return item;
  }

  /** A scrubbed copy of a fixture: { request: {path, headers, body}, response: {headers, body}, ... }. */
  function exchange(fixture) {
    return value(fixture);
  }

  /**
   * What of the known values, or of anything shaped like a credential, is still
   * in a value: an empty list means it is safe to write.
   */
  function leaks(item) {
    const json = JSON.stringify(item);
    const found = replacements
      .filter(([real]) => json.toLowerCase().includes(real.toLowerCase()))
      .map(([real]) => real);
    for (const match of json.matchAll(EMAIL))
      if (match[0] !== PLACEHOLDERS.email) found.push(match[0]);
    for (const match of json.matchAll(BEARER)) found.push(match[0]);
    return [...new Set(found)];
  }

  return { text, value, exchange, leaks };
}
