/** What the docs tests read from the spec: operations, their samples and examples. */
import { operations, resolve, spec, type OperationInfo } from "../support/spec.js";

export interface CodeSample {
  lang: string;
  label: string;
  source: string;
}

// A plain .mjs script with no type declarations: loaded through a computed
// specifier (so tsc does not look for types), typed here.
const samplesScript = "../../scripts/samples.mjs";
const { codeSamplesOf } = (await import(samplesScript)) as {
  codeSamplesOf(spec: unknown): Record<string, CodeSample[]>;
};
const SAMPLES = codeSamplesOf(spec);

/** The operation's samples as the docs page shows them: made from the spec (scripts/samples.mjs). */
export function codeSamples(op: OperationInfo): CodeSample[] {
  return SAMPLES[op.operationId] ?? [];
}

/** The value of the first JSON example an operation gives for a response status. */
export function firstExample(op: OperationInfo, status: string): any {
  const media = resolve(op.operation.responses[status])?.content?.["application/json"];
  const example = Object.values<any>(media?.examples ?? {})[0];
  if (!example) throw new Error(`${op.operationId} has no example for ${status}`);
  return resolve(example).value;
}

export { operations, resolve, spec };

/** The parameters of an operation, its path's included, resolved. */
export function parameters(op: OperationInfo): { name: string; in: string; example?: unknown }[] {
  const shared = spec.paths[op.path]?.parameters ?? [];
  return [...shared, ...(op.operation.parameters ?? [])].map(resolve);
}

/** The property names of an operation's JSON request body. */
export function requestProperties(op: OperationInfo): string[] {
  const schema = resolve(op.operation.requestBody)?.content?.["application/json"]?.schema;
  return Object.keys(resolve(schema)?.properties ?? {});
}
