/** The package's "." entry: the client (src/client/) and setupOutgoing. */
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
