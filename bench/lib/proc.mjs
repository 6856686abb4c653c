// Child processes, run asynchronously (the call bench's server must keep serving
// while the orchestrator waits) and timed with a monotonic clock.
import { spawn } from "node:child_process";

/** Runs a command to completion; resolves { code, stdout, stderr, ms }. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, stdout, stderr, ms });
    });
  });
}

/** Like run(), but rejects when the command fails, with its output in the message. */
export async function check(command, args, options = {}) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().slice(-2000);
    throw new Error(`${command} ${args.join(" ")} exited with ${result.code}\n${output}`);
  }
  return result;
}
