/**
 * `cf-secondary-dns/declare`: a zone's whole transfer setup as a file, with
 * the library functions behind `import`, `plan` and `apply`. Node.js only (it
 * reads files and the environment, and parses YAML with the `yaml` package);
 * the client entry never loads it.
 */
export {
  parseTransfers,
  formatTransfers,
  formatProblem,
  TransfersFileError,
  type TransfersConfig,
  type DeclaredTsig,
  type DeclaredPeer,
  type DeclaredAcl,
  type DeclaredZone,
  type DeclaredOutgoing,
  type DeclaredIncoming,
  type SecretRef,
  type FileProblem,
  type ReadFile,
} from "./format.js";
export { importConfig, ImportError, type ImportOptions } from "./import.js";
export {
  plan,
  AmbiguousStateError,
  type Plan,
  type PlanOptions,
  type Change,
  type ChangeKind,
  type ChangeAction,
  type FieldChange,
} from "./plan.js";
export {
  apply,
  SecretUnavailableError,
  type ApplyOptions,
  type ApplyResult,
  type StepResult,
} from "./apply.js";
export { fingerprint, secretEnvName, type SecretSources } from "./secrets.js";
export { formatPlan, changeLine } from "./render.js";
export { readTransfersFile } from "./read.js";
