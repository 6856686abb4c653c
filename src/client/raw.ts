/**
 * `cf-secondary-dns/raw`: the typed openapi-fetch client, for whoever needs the
 * whole response. It has its own entry point so that apps using only the
 * facade do not carry openapi-fetch.
 *
 *   const raw = rawClient(createSecondaryDnsClient({ apiToken }));
 *   const { data, error, response } = await raw.GET("/zones/{zone_id}/secondary_dns/outgoing", ...);
 */
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../../generated/schema.js";
import { partsOf, type ClientParts, type SecondaryDnsCore } from "./core.js";
import { excerpt, ValidationError } from "./errors.js";
import { failureOf } from "./transport.js";

export type RawClient = Client<paths>;

/**
 * An openapi-fetch client with the same credentials, timeout, retries, limits
 * and redaction as `client`. POSTs through it count as not idempotent (retried
 * only on 429 or a refused connection). Middleware added with `raw.use()`
 * applies to that raw client only, never to the facade's methods.
 */
export function rawClient(client: SecondaryDnsCore): RawClient {
  const parts = partsOf(client);
  const { baseUrl, headers } = parts.resolved;
  return createClient<paths>({ baseUrl, headers, fetch: rawFetch(parts) });
}

/**
 * The raw client's fetch, given the Request openapi-fetch built (after any
 * middleware). Our signal goes with every attempt, so no middleware can drop
 * the timeout; the caller's signal is the Request's.
 */
function rawFetch({ resolved, transport, redact }: ClientParts) {
  const { maxRetries, baseUrl, fetch: custom } = resolved;
  return async (request: Request): Promise<Response> => {
    let attempt = 0;
    let copy: Response | undefined;
    const drop = () => void copy?.body?.cancel().catch(() => {});
    const { response, text } = await transport
      .exchange(request, request.method !== "POST", { signal: request.signal }, async (signal) => {
        // A body can be read once: keep the original for the next attempt.
        const sent = attempt++ < maxRetries && request.body ? request.clone() : request;
        const response = await (custom ?? globalThis.fetch)(sent, { signal, redirect: "manual" });
        // openapi-fetch gets an unread twin; the transport reads (and times) this one.
        drop();
        copy = response.clone();
        return response;
      })
      .catch((error: unknown) => {
        drop();
        throw error;
      });
    if (response.ok && text.trim() !== "" && !isJson(text)) {
      // openapi-fetch would throw a bare SyntaxError at the raw client's caller.
      throw redact(
        failureOf(request, baseUrl, response, { detail: `the body is not JSON: ${excerpt(text)}` }),
      );
    }
    return copy!;
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
