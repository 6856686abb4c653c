/** The text of generated/operations.ts for a bundled spec (see operations.mjs). */
export function operationsSource(spec: unknown): string;
/** The text of generated/results.ts for a bundled spec. */
export function resultsSource(spec: unknown): string;
