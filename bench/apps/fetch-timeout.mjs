// The floor with a timeout: raw fetch and res.json(), with its own AbortController
// and a setTimeout per call that covers the body, as any careful caller would.
export function app({ baseUrl, apiToken }) {
  const headers = { Authorization: `Bearer ${apiToken}` };
  return async (zoneId) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      const response = await fetch(`${baseUrl}/zones/${zoneId}/secondary_dns/outgoing`, {
        headers,
        signal: controller.signal,
      });
      const body = await response.json();
      return body.result;
    } finally {
      clearTimeout(timer);
    }
  };
}
