/** The files of generated/client/ for a bundled spec, by file name (see client.mjs). */
export function clientSources(spec: unknown): Record<string, string>;
