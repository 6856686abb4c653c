/** The package's "." entry: the client (src/client/), setupOutgoing and setupIncoming. */
export * from "./client/index.js";
export {
  setupOutgoing,
  SetupFailedError,
  newTsigSecret,
  SECRET_BYTES,
  type SetupInput,
  type SetupResult,
  type SetupStep,
  type StepName,
  type StepOutcome,
  type TsigAlgorithm,
} from "./setup.js";
export {
  setupIncoming,
  DEFAULT_AUTO_REFRESH_SECONDS,
  type IncomingSetupInput,
  type IncomingSetupResult,
} from "./setup-incoming.js";
