/**
 * The spec's own examples of each operation, so tests iterate the operations
 * table with samples the spec already gives and a new operation needs no test
 * edit: its request body's example and its 200 response's (the envelope's
 * `result`). Where one is missing, the error says which to add to the spec.
 */
import { OPERATIONS, type ResultSchema } from "../../generated/operations.js";
import { spec } from "./spec.js";

interface Media {
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

function mediaOf(operationId: string): { request?: Media; response?: Media; where: string } {
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation?.operationId !== operationId) continue;
      return {
        request: operation.requestBody?.content?.["application/json"],
        response: operation.responses?.["200"]?.content?.["application/json"],
        where: `${method.toUpperCase()} ${path}`,
      };
    }
  }
  throw new Error(`the spec has no operation ${operationId}`);
}

const valuesOf = (media: Media | undefined): unknown[] => [
  ...(media?.example !== undefined ? [media.example] : []),
  ...Object.values(media?.examples ?? {}).map((example) => example.value),
];

/** The first example of the operation's request body; undefined when it takes none. */
export function bodyExample(operationId: string): unknown {
  const { request, where } = mediaOf(operationId);
  if (request === undefined) return undefined;
  const [first] = valuesOf(request);
  if (first === undefined)
    throw new Error(
      `operation ${operationId} (${where}) has no request body example: add one under requestBody.content["application/json"].examples in its spec file`,
    );
  return first;
}

/** Every example `result` of the operation's 200 response, at least one. */
export function resultExamples(operationId: string): unknown[] {
  const { response, where } = mediaOf(operationId);
  const results = valuesOf(response).map((envelope) => (envelope as { result?: unknown }).result);
  if (results.length === 0)
    throw new Error(
      `operation ${operationId} (${where}) has no example of its 200 response: add one under responses["200"].content["application/json"].examples in its spec file`,
    );
  return results;
}

/** Every example result of each result schema, from every operation that answers with it. */
export function resultExamplesBySchema(): Record<ResultSchema, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [operationId, { operation }] of Object.entries(OPERATIONS))
    (out[operation.result] ??= []).push(...resultExamples(operationId));
  return out as Record<ResultSchema, unknown[]>;
}
