// Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide text
// (bidi overrides, zero-width marks): a user agent must not be able to rewrite the reader's terminal.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/gu;

/** Log text made safe to print: unsafe characters shown as `\u{..}`, long values cut with `…`. */
export function safeText(value: string, max = 160): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return cut.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function renderTable(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      (
        indent +
        row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")
      ).trimEnd(),
    )
    .join("\n");
}

/** A ratio to three decimals; `n/a` when undefined (0/0). */
export function formatRatio(value: number | null): string {
  return value === null ? "n/a" : value.toFixed(3);
}
