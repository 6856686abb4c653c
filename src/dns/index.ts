/**
 * DNS on the wire: the emulator's primary (SOA, AXFR/IXFR, NOTIFY, TSIG), the SOA
 * query and secondary check behind `outgoing doctor`, zone files, RFC 1982
 * serials, and the Knot/NSD configuration `outgoing setup` prints.
 */
export { addToSerial, compareSerials, nextSerial, serialDistance } from "./serial.js";
export {
  MINIMAL_ZONE_NAMESERVER,
  ZoneDataError,
  ZoneFileError,
  checkZone,
  minimalZone,
  parseZoneFile,
  type ParsedZone,
  type SoaData,
  type ZoneRecord,
} from "./zone.js";
export {
  TSIG_ALGORITHMS,
  TSIG_DIGESTS,
  TSIG_ERROR,
  TsigKey,
  TsigKeyError,
  signMessage,
  verifyMessage,
  type TsigAlgorithm,
  type TsigKeyInput,
} from "./tsig.js";
export {
  DnsPrimaryError,
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type DnsPrimaryOptions,
  type NotifyResult,
  type SoaQueryInfo,
  type TransferInfo,
  type ZonePeer,
  type ZoneSource,
  type ZoneView,
} from "./primary.js";
export { querySoa, type SoaAnswer, type SoaQuery } from "./query.js";
export {
  CLOUDFLARE_PRIMARY,
  DOCTOR_EXIT_CODES,
  checkSecondaries,
  doctorExitCode,
  formatDoctorReport,
  parseAddress,
  type DoctorInput,
  type DoctorPeer,
  type DoctorReport,
  type PeerCheck,
  type PeerState,
} from "./doctor.js";
export {
  EMULATOR_DNS_HEADER,
  PrimaryUnknownError,
  findPrimary,
  formatAge,
  runDoctor,
  type FoundPrimary,
  type ApiDoctorReport,
  type DoctorClient,
  type RunDoctorOptions,
} from "./api-doctor.js";
export {
  runIncomingDoctor,
  type IncomingDoctorClient,
  type IncomingDoctorOptions,
  type IncomingDoctorReport,
} from "./incoming-doctor.js";
export {
  cloudflareTargets,
  emulatorTargets,
  renderPrimaryConfigs,
  writePrimaryConfigs,
  type PrimaryConfigFile,
  type PrimarySetup,
  type SecondaryTargets,
} from "./primary-config.js";
export {
  SetupError,
  renderKeyStanza,
  renderKnotConfig,
  renderNsdConfig,
  type SecondarySetup,
} from "./render.js";
