import * as vega from "vega";

// Helvetica advance widths (1/1000 em) for ASCII 32–126, from its AFM metrics.
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
  500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
  556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
// Browsers draw "sans-serif" with DejaVu Sans (Linux) or Arial-like faces; DejaVu runs about 20% wider
// than Helvetica, and overestimating only costs a little room while underestimating overlaps labels.
const FACE_FACTOR = 1.2;

/** Estimated width in px of `text` in a sans-serif face at `fontSize` px. */
export function estimateTextWidth(text: string, fontSize: number): number {
  let units = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 32 && code <= 126) units += ASCII_WIDTHS[code - 32]!;
    else if (code >= 0x1100)
      units += 1000; // CJK, emoji and other wide scripts
    else units += 600;
  }
  return (units / 1000) * fontSize * FACE_FACTOR;
}

interface TextItem {
  fontSize?: number | string | null;
  limit?: number | null;
}

interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
}

/**
 * Gives Vega a per-character width estimate. Without node-canvas Vega assumes every character is 0.8 em
 * wide, which cuts axis labels at about half the room they have. Capping at the item's limit lets
 * Vega's own truncation (which calls this on ever shorter prefixes) still find where to cut.
 */
export function installTextMetrics(): void {
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
    // Vega hands over a line of text, or a number or array of lines it would print the same way.
    const value =
      text == null
        ? ""
        : typeof text === "string"
          ? text.trim()
          : Array.isArray(text)
            ? text.join(",")
            : `${text as number}`;
    const width = estimateTextWidth(value, size);
    const limit = Number(item.limit ?? 0);
    return limit > 0 ? Math.min(width, limit) : width;
  };
}
