/** A stand-in secondary for doctor's tests: the emulator's DNS server with one zone at a fixed serial. */
import { startDnsPrimary, type DnsPrimary, type ZoneView } from "../../src/dns/primary.js";
import { minimalZone } from "../../src/dns/zone.js";

/** Serves `zone`'s SOA (and AXFR) at `serial` on a loopback port; any other zone is REFUSED. */
export function servingSoa(zone: string, serial: number): Promise<DnsPrimary> {
  const view: ZoneView = {
    zoneId: "z",
    name: zone,
    records: minimalZone(zone, serial),
    serial,
    transfersEnabled: true,
    peers: [],
  };
  return startDnsPrimary({ source: { zone: (name) => (name === zone ? view : undefined) } });
}
