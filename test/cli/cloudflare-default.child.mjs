// Run by setup-cloudflare.test.ts inside a loopback-only network namespace
// (`unshare -n`): the CLI with Cloudflare's real base URL and no --primary. The
// API's requests are answered by an emulator on loopback through a fetch that
// drops the emulator's DNS header (as Cloudflare's API sends none); the DNS
// queries to Cloudflare's address find no network at all. Prints JSON.
import { networkInterfaces } from "node:os";

const [emulatorModule, runModule, doctorModule] = process.argv.slice(2);
const { startEmulator } = await import(emulatorModule);
const { runCli } = await import(runModule);
const { EMULATOR_DNS_HEADER } = await import(doctorModule);

const emulator = await startEmulator({ dnsPort: 0, seed: {} });
const CLOUDFLARE = "https://api.cloudflare.com/client/v4";
const elsewhere = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  if (!request.url.startsWith(CLOUDFLARE)) {
    elsewhere.push(request.url);
    throw new TypeError("fetch failed: not Cloudflare's API");
  }
  const answer = await realFetch(
    new Request(emulator.url + request.url.slice(CLOUDFLARE.length), request),
  );
  const headers = new Headers(answer.headers);
  headers.delete(EMULATOR_DNS_HEADER);
  return new Response(await answer.arrayBuffer(), { status: answer.status, headers });
};

async function run(argv) {
  let stdout = "";
  let stderr = "";
  const env = {
    CLOUDFLARE_API_TOKEN: "t",
    CLOUDFLARE_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  };
  const code = await runCli(argv, {
    env,
    stdout: { write: (chunk) => ((stdout += chunk), true) },
    stderr: { write: (chunk) => ((stderr += chunk), true) },
  });
  return { code, stdout, stderr };
}

const zone = "0123456789abcdef0123456789abcdee";
const setup = await run([
  "outgoing",
  "setup",
  zone,
  "--name",
  "example.com.",
  "--peer-ip",
  "127.0.0.1",
  "--peer-port",
  "5399",
]);
const doctor = await run(["outgoing", "doctor", zone, "--json", "--timeout", "500"]);
await emulator.close();
process.stdout.write(
  JSON.stringify({ interfaces: Object.keys(networkInterfaces()), setup, doctor, elsewhere }),
);
