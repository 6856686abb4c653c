// The server of the per-call bench: node:http on 127.0.0.1, answering every
// GET .../secondary_dns/outgoing with one fixed success envelope. It prints its
// port, then serves until killed.
import { createServer } from "node:http";

export const ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353";
export const API_TOKEN = "bench-token-0123456789";

const body = JSON.stringify({
  success: true,
  errors: [],
  messages: [],
  result: {
    id: ZONE_ID,
    name: "www.example.com.",
    peers: ["23ff594956f20c2a721606e94745a8aa", "00920f38ce07c2e2f4df50b1f61d4194"],
    soa_serial: 2019102400,
    checked_time: "2019-10-24T17:09:42.883908+01:00",
    created_time: "2019-10-24T17:09:42.883908+01:00",
    last_transferred_time: "2019-10-24T17:09:42.883908+01:00",
  },
});
const headers = {
  "content-type": "application/json",
  "content-length": Buffer.byteLength(body),
  "cf-ray": "8d0a0a0a0a0a0a0a-AMS",
};
const route = /^\/client\/v4\/zones\/[0-9a-f]{32}\/secondary_dns\/outgoing$/;

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createServer((req, res) => {
    if (req.method === "GET" && route.test(req.url)) {
      res.writeHead(200, headers).end(body);
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end('{"success":false}');
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));
}
