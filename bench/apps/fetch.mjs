// The floor: raw fetch and res.json(), nothing else.
export function app({ baseUrl, apiToken }) {
  const headers = { Authorization: `Bearer ${apiToken}` };
  return async (zoneId) => {
    const response = await fetch(`${baseUrl}/zones/${zoneId}/secondary_dns/outgoing`, { headers });
    const body = await response.json();
    return body.result;
  };
}
