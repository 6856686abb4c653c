/**
 * NOTIFY (RFC 1996) to a zone's peers: over UDP, signed when the peer has a
 * TSIG, retried a bounded number of times until answered. Sent only to
 * loopback addresses; any other address is skipped, and the skip is reported.
 */
import { isIP } from "node:net";
import { udpExchange } from "./exchange.js";
import {
  soaOf,
  type DnsEvent,
  type NotifyResult,
  type ZonePeer,
  type ZoneSource,
  type ZoneView,
} from "./source.js";
import { TsigKey, keyLookup, signMessage, tsigErrorName, verifyMessage } from "./tsig.js";
import {
  FLAG,
  OPCODE,
  formatAddress,
  isLoopbackAddress,
  normalizeName,
  packet,
  readHeader,
} from "./wire.js";
import { toWire, type ZoneRecord } from "./zone.js";

export class Notifier {
  constructor(
    private readonly source: ZoneSource,
    private readonly log: (event: DnsEvent) => void,
    private readonly timeoutMs: number,
    private readonly attempts: number,
    private readonly closed: () => boolean,
  ) {}

  async notify(zoneName: string): Promise<NotifyResult[]> {
    const view = this.source.zone(normalizeName(zoneName));
    if (!view) return [];
    const results = await Promise.all(
      view.peers.map((peer) =>
        view.transfersEnabled
          ? this.notifyPeer(view, peer)
          : Promise.resolve<NotifyResult>({
              zoneId: view.zoneId,
              peerId: peer.id,
              target: "",
              outcome: "skipped",
              attempts: 0,
              reason: "outgoing transfers are disabled",
            }),
      ),
    );
    for (const result of results) this.log({ type: "notify", ...result });
    return results;
  }

  private async notifyPeer(view: ZoneView, peer: ZonePeer): Promise<NotifyResult> {
    const port = peer.port ?? 53;
    const ip = peer.ip ?? "";
    const target = formatAddress(ip, port);
    const base = { zoneId: view.zoneId, peerId: peer.id, target };
    const sendable = keyFor(peer, ip);
    if ("skip" in sendable) {
      const skipped = { ...base, outcome: "skipped", attempts: 0, reason: sendable.skip } as const;
      return ip ? skipped : { ...skipped, target: "" };
    }
    const { key } = sendable;
    const soa = soaOf(view);
    let attempts = 0;
    while (attempts < this.attempts && !this.closed()) {
      attempts++;
      let message = notifyMessage(view.name, soa);
      let mac: Buffer | undefined;
      if (key) ({ message, mac } = signMessage(message, key, { kind: "request" }));
      const outcome = await udpExchange({ host: ip, port, message, timeoutMs: this.timeoutMs });
      if (!outcome.ok) {
        if (attempts < this.attempts && !this.closed()) continue;
        const reason = outcome.failure === "timeout" ? "no answer" : outcome.detail;
        return { ...base, outcome: "failed", attempts, reason };
      }
      const rcode = readHeader(outcome.response).rcode;
      const result: NotifyResult = { ...base, outcome: "answered", attempts, rcode };
      if (key && mac) {
        const verdict = safeVerify(outcome.response, key, mac);
        if (verdict) result.reason = verdict;
      }
      return result;
    }
    return { ...base, outcome: "failed", attempts, reason: "the primary closed" };
  }
}

/** The peer's TSIG key (none when it has no TSIG), or why no NOTIFY goes to it. */
function keyFor(peer: ZonePeer, ip: string): { skip: string } | { key: TsigKey | undefined } {
  if (!ip) return { skip: "the peer has no ip" };
  if (!isIP(ip) || !isLoopbackAddress(ip))
    return { skip: "not a loopback address: this primary never sends off the machine" };
  if (!peer.tsig) return { key: undefined };
  try {
    return { key: new TsigKey(peer.tsig) };
  } catch (error) {
    // Never unsigned to a peer that has a key: the message never holds the secret.
    return { skip: `the peer's TSIG key cannot be used: ${(error as Error).message}` };
  }
}

/** A NOTIFY for the zone, its SOA in the answer section, with a new random id. */
function notifyMessage(zoneName: string, soa: ZoneRecord): Buffer {
  return packet.encode({
    id: Math.floor(Math.random() * 0x10000),
    type: "query",
    flags: (OPCODE.NOTIFY << 11) | FLAG.AA,
    questions: [{ name: normalizeName(zoneName), type: "SOA", class: "IN" }],
    answers: toWire([soa]),
  });
}

function safeVerify(response: Buffer, key: TsigKey, requestMac: Buffer): string | undefined {
  try {
    const verdict = verifyMessage(response, keyLookup([key]), { kind: "response", requestMac });
    if (verdict.status === "ok") return undefined;
    if (verdict.status === "unsigned") return "the answer is not signed";
    return `the answer has TSIG ${tsigErrorName(verdict.error)}`;
  } catch (error) {
    return `the answer is malformed: ${(error as Error).message}`;
  }
}
