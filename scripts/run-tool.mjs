// Runs a locally installed CLI (node_modules/.bin) with Redocly's telemetry off,
// failing loudly when it fails. Shared by the pipeline scripts.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const root = fileURLToPath(new URL("..", import.meta.url));

export function runTool(bin, args, { quiet = false } = {}) {
  const result = spawnSync(path.join(root, "node_modules", ".bin", bin), args, {
    cwd: root,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    encoding: "utf8",
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) {
    process.stderr.write(withoutBanner(output));
    throw new Error(`${bin} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
  if (!quiet) process.stdout.write(withoutBanner(output));
  return output;
}

// Redocly prints a boxed Node.js deprecation notice on every run; it says nothing
// about our spec, so it is dropped from what the pipeline shows.
function withoutBanner(text) {
  return text
    .split("\n")
    .filter((line) => !/[║╔╚]/.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}
