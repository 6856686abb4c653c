/**
 * The `npm start` demo: starts the emulator on a free port and drives a whole
 * lifecycle through the built CLI, as a user would from a shell, printing each
 * command and what it answered. Exits 0 only when every step did what it should.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startEmulator } from "./emulator/index.js";

const CLI = fileURLToPath(new URL("./cli/main.js", import.meta.url));
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const PEER_A = "23ff594956f20c2a721606e94745a8aa";
const PEER_B = "00920f38ce07c2e2f4df50b1f61d4194";

interface Step {
  title: string;
  args: string[];
  /** The exit code this step must end with. */
  exit: number;
}

const STEPS: Step[] = [
  {
    title: "Create the configuration with two peers",
    args: ["create", ZONE, "--name", "example.com.", "--peer", PEER_A, "--peer", PEER_B],
    exit: 0,
  },
  { title: "Read it back", args: ["get", ZONE], exit: 0 },
  { title: "Turn outgoing transfers on", args: ["enable", ZONE], exit: 0 },
  { title: "Check the status (as JSON)", args: ["status", ZONE, "--json"], exit: 0 },
  { title: "Send NOTIFY to the peers now", args: ["force-notify", ZONE], exit: 0 },
  {
    title: "Keep only one peer (the SOA serial goes up)",
    args: ["update", ZONE, "--name", "example.com.", "--peer", PEER_A],
    exit: 0,
  },
  { title: "Turn outgoing transfers off", args: ["disable", ZONE], exit: 0 },
  { title: "Remove the configuration", args: ["delete", ZONE], exit: 0 },
  {
    title: "Reading it now fails: the API answers 404, the CLI exits 1",
    args: ["get", ZONE],
    exit: 1,
  },
];

function runStep(step: Step, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "outgoing", ...step.args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const indent = (chunk: Buffer) => chunk.toString("utf8").replace(/^(?=.)/gm, "    ");
    child.stdout.on("data", (chunk: Buffer) => process.stdout.write(indent(chunk)));
    child.stderr.on("data", (chunk: Buffer) => process.stdout.write(indent(chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const emulator = await startEmulator();
  console.log(`cf-secondary-dns demo: the emulator listens on ${emulator.url}\n`);
  // Only the demo's own credentials: a token in the caller's environment must not mix in.
  const { CLOUDFLARE_EMAIL: _email, CLOUDFLARE_API_KEY: _key, ...inherited } = process.env;
  const env = {
    ...inherited,
    CLOUDFLARE_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: "demo-token",
  };
  let failed = 0;
  try {
    for (const [index, step] of STEPS.entries()) {
      console.log(`${index + 1}. ${step.title}`);
      console.log(`  $ cf-secondary-dns outgoing ${step.args.join(" ")}`);
      const code = await runStep(step, env);
      const ok = code === step.exit;
      if (!ok) failed++;
      console.log(`  -> exit ${code}${ok ? "" : ` (expected ${step.exit})`}\n`);
    }
  } finally {
    await emulator.close();
  }
  console.log(
    failed === 0
      ? "Demo complete: every step behaved as expected."
      : `Demo FAILED: ${failed} step(s) went wrong.`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
