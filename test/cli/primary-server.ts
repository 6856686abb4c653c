/**
 * A real DNS primary (knotd, nsd, named) run by a test from a file `incoming
 * setup --write-config` wrote: started in the foreground on 127.0.0.1, waited
 * for until it serves the zone (bounded), stopped by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { querySoa } from "../../src/dns/query.js";
import { stopChild, waitFor } from "../dns/servers.js";

export interface PrimaryServer {
  child: ChildProcess;
  /** What the server printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/** The zone's serial at 127.0.0.1:port when it is `serial` (any serial when undefined), else undefined. */
export async function serialAt(
  port: number,
  zone: string,
  serial?: number,
): Promise<number | undefined> {
  const answer = await querySoa({ host: "127.0.0.1", port, zone, timeoutMs: 500 });
  if (answer.status !== "answer") return undefined;
  return serial === undefined || answer.serial === serial ? answer.serial : undefined;
}

/** Starts `binary args` and waits until it serves `zone` at 127.0.0.1:port (at `serial` if given). */
export async function startPrimary(
  binary: string,
  args: string[],
  where: { port: number; zone: string; serial?: number },
): Promise<PrimaryServer> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const server: PrimaryServer = {
    child,
    output: () => `${binary} said:\n${output.slice(-3000)}`,
    stop: () => stopChild(child),
  };
  try {
    const { port, zone, serial } = where;
    await waitFor(
      `${binary} to serve ${zone}`,
      () => serialAt(port, zone, serial),
      15_000,
      server.output,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
