/** Runs the CLI in-process and collects what it printed. */
import { runCli } from "../../src/cli/run.js";

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Collector {
  text: string;
  write(chunk: string): boolean;
}

export function collector(): Collector {
  return {
    text: "",
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

export async function cli(
  argv: string[],
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<Outcome> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(argv, { env, stdout, stderr, signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
