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
import { FLAG, OPCODE, isLoopbackAddress, normalizeName, packet, readHeader } from "./wire.js";
import { toWire } from "./zone.js";

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
    const target = ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
    const base = { zoneId: view.zoneId, peerId: peer.id, target };
    if (!ip)
      return { ...base, target: "", outcome: "skipped", attempts: 0, reason: "the peer has no ip" };
    if (!isIP(ip) || !isLoopbackAddress(ip)) {
      return {
        ...base,
        outcome: "skipped",
        attempts: 0,
        reason: "not a loopback address: this primary never sends off the machine",
      };
    }
    let key: TsigKey | undefined;
    if (peer.tsig) {
      try {
        key = new TsigKey(peer.tsig);
      } catch (error) {
        // Never unsigned to a peer that has a key: the message never holds the secret.
        const reason = `the peer's TSIG key cannot be used: ${(error as Error).message}`;
        return { ...base, outcome: "skipped", attempts: 0, reason };
      }
    }
    const soa = soaOf(view);
    let attempts = 0;
    while (attempts < this.attempts && !this.closed()) {
      attempts++;
      const id = Math.floor(Math.random() * 0x10000);
      let message = packet.encode({
        id,
        type: "query",
        flags: (OPCODE.NOTIFY << 11) | FLAG.AA,
        questions: [{ name: normalizeName(view.name), type: "SOA", class: "IN" }],
        answers: toWire([soa]),
      });
      let mac: Buffer | undefined;
      if (key) ({ message, mac } = signMessage(message, key, { kind: "request" }));
      const outcome = await udpExchange({ host: ip, port, message, timeoutMs: this.timeoutMs });
      if (!outcome.ok) {
        if (attempts >= this.attempts || this.closed()) {
          return {
            ...base,
            outcome: "failed",
            attempts,
            reason: outcome.failure === "timeout" ? "no answer" : outcome.detail,
          };
        }
        continue;
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
