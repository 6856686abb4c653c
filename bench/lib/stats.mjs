// Small numeric helpers shared by the sections: medians, ratios and formatting.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median of per-round ratios `a[i] / b[i]`: pairs runs made close together in time. */
export function medianRatio(a, b) {
  return median(a.map((value, i) => value / b[i]));
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString("en-US"),
  one: (n) => n.toFixed(1),
  ratio: (n) => `${n.toFixed(2)}x`,
  kb: (bytes) => `${(bytes / 1024).toFixed(1)} KB`,
  ms: (n) => `${Math.round(n)} ms`,
};

/** Rotates `items` by `round`, so each mode takes its turn first and last. */
export function rotate(items, round) {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** A markdown table from a header row and data rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
