/**
 * A scripted primary for the pull engine's tests: answers the SOA over UDP
 * (signed when asked signed) and hands each TCP transfer request to a script
 * that writes whatever the test needs, well-formed or not. Loopback only.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { findTsig, signMessage, TsigKey, type TsigContext } from "../../src/dns/tsig.js";
import { FLAG, packet, readHeader } from "../../src/dns/wire.js";
import { toWire, type ZoneRecord } from "../../src/dns/zone.js";

export const ZONE = "pull.test";

export function soa(serial: number): ZoneRecord {
  const data = {
    mname: "ns.pull.test",
    rname: "admin.pull.test",
    serial,
    refresh: 60,
    retry: 30,
    expire: 600,
    minimum: 30,
  };
  return { name: ZONE, ttl: 300, type: "SOA", data };
}

export function zoneRecords(serial: number, hosts = 3): ZoneRecord[] {
  return [
    soa(serial),
    { name: ZONE, ttl: 300, type: "NS", data: "ns.pull.test" },
    ...Array.from({ length: hosts }, (_, i): ZoneRecord => ({
      name: `h${i}.${ZONE}`,
      ttl: 300,
      type: "A",
      data: `192.0.2.${i + 1}`,
    })),
  ];
}

/** What a transfer request carried: its ID, question bytes and MAC (when signed). */
export interface TransferRequest {
  id: number;
  type: string;
  mac: Buffer | undefined;
  raw: Buffer;
}

export type Script = (socket: Socket, request: TransferRequest) => void;

export interface ScriptedPrimary {
  port: number;
  transfers: number;
  close(): Promise<void>;
}

/** Frames one message for TCP. */
export function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}

/** A response message to `request` with these answers (the question only in the first). */
export function response(
  request: TransferRequest,
  answers: ZoneRecord[],
  first: boolean,
  rcode = 0,
): Buffer {
  return packet.encode({
    id: request.id,
    type: "response",
    flags: FLAG.AA | rcode,
    questions: first ? [{ name: ZONE, type: request.type as "AXFR", class: "IN" }] : [],
    answers: toWire(answers),
  });
}

/**
 * Signs a run of messages as a primary does: `plan[i]` says whether message i
 * is signed with `key`, left unsigned, or signed with `wrong` (a BADSIG).
 */
export function signRun(
  messages: Buffer[],
  request: TransferRequest,
  key: TsigKey,
  plan: ("sign" | "none" | "wrong")[],
  wrong?: TsigKey,
): Buffer[] {
  let prior: Buffer | undefined;
  let between: Buffer[] = [];
  return messages.map((message, i) => {
    const how = plan[i] ?? "sign";
    if (how === "none") {
      between.push(message);
      return message;
    }
    const context: TsigContext = prior
      ? { kind: "continuation", priorMac: prior, between }
      : { kind: "response", requestMac: request.mac! };
    const signed = signMessage(message, how === "wrong" ? wrong! : key, context);
    prior = signed.mac;
    between = [];
    return signed.message;
  });
}

export async function scriptedPrimary(options: {
  serial: number;
  key?: TsigKey;
  script: Script;
}): Promise<ScriptedPrimary> {
  const open = new Set<Socket>();
  const tcp = createServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const raw = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      const decoded = packet.decode(raw);
      state.transfers++;
      options.script(socket, {
        id: readHeader(raw).id,
        type: decoded.questions![0]!.type,
        mac: findTsig(raw)?.mac,
        raw,
      });
    });
  });
  const state = { transfers: 0 };
  const { udp, port } = await bindBoth(tcp);
  udp.on("message", (raw, rinfo) => {
    const request = packet.decode(raw);
    let answer = packet.encode({
      id: request.id!,
      type: "response",
      flags: FLAG.AA,
      questions: request.questions!,
      answers: toWire([soa(options.serial)]),
    });
    const mac = findTsig(raw)?.mac;
    if (options.key && mac)
      answer = signMessage(answer, options.key, { kind: "response", requestMac: mac }).message;
    udp.send(answer, rinfo.port, rinfo.address);
  });
  return {
    port,
    get transfers() {
      return state.transfers;
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

async function bindBoth(tcp: Server): Promise<{ udp: UdpSocket; port: number }> {
  for (;;) {
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", () => resolve()));
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket("udp4");
    const ok = await new Promise<boolean>((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind(port, "127.0.0.1", () => resolve(true));
    });
    if (ok) return { udp, port };
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
}
