import stringWidth from "string-width";

/** One column of a text table. */
export interface Column {
  header: string;
  align?: "left" | "right";
  /**
   * Flexible columns give up width when the table is wider than the terminal; higher numbers first
   * (`true` is 1). Columns that are not flexible shrink last.
   */
  flex?: boolean | number;
  /** Which end of a too-long cell is cut: `end` (default) or `start`, for paths whose end matters. */
  cut?: "start" | "end";
  /** Wrap a too-long cell onto more lines (at spaces) instead of cutting it. */
  wrap?: boolean;
  /** Never narrower than this (default: 4, or the header when shorter). */
  min?: number;
  /** Colours a laid-out cell; applied after padding so escapes never count towards the width. */
  style?: (cell: string) => string;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const ELLIPSIS = "…";

/** Display width in terminal columns (wide CJK and emoji count 2). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** Cuts text to at most `width` columns, marking the cut with `…` (at the end, or at the start). */
export function truncate(text: string, width: number, cut: "start" | "end" = "end"): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  const segments = [...segmenter.segment(text)].map(({ segment }) => segment);
  if (cut === "start") segments.reverse();
  const kept: string[] = [];
  let used = 0;
  for (const segment of segments) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    kept.push(segment);
    used += w;
  }
  return cut === "start" ? ELLIPSIS + kept.reverse().join("") : kept.join("") + ELLIPSIS;
}

/** Breaks text into lines of at most `width` columns, at spaces where possible. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [""];
  if (displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = "";
  let used = 0;
  const push = () => {
    lines.push(line.trimEnd());
    line = "";
    used = 0;
  };
  for (const word of text.split(/(?<= )/)) {
    const w = displayWidth(word);
    if (used + displayWidth(word.trimEnd()) <= width) {
      line += word;
      used += w;
      continue;
    }
    if (used > 0) push();
    if (w <= width) {
      line = word;
      used = w;
      continue;
    }
    // A word wider than the column: cut it by graphemes.
    for (const { segment } of segmenter.segment(word)) {
      const sw = displayWidth(segment);
      if (used + sw > width) push();
      line += segment;
      used += sw;
    }
  }
  if (line.trimEnd() !== "" || lines.length === 0) push();
  return lines;
}

function shrinkOrder(column: Column): number {
  return column.flex === true ? 1 : typeof column.flex === "number" ? column.flex : 0;
}

function pad(text: string, width: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return align === "right" ? fill + text : text + fill;
}

/**
 * Column widths that fit `width`: each column wants its widest cell; when the total is too wide, the
 * most flexible columns shrink first (widest first within a level), then the others, never below their
 * minimum.
 */
export function fitWidths({
  columns,
  natural,
  width,
  gap,
}: {
  columns: readonly Column[];
  natural: readonly number[];
  width: number;
  gap: number;
}): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, widths.length - 1);
  const floor = (i: number) =>
    Math.min(natural[i]!, columns[i]!.min ?? Math.min(4, displayWidth(columns[i]!.header)));
  const levels = [...new Set(columns.map(shrinkOrder))].sort((a, b) => b - a);
  for (const level of levels) {
    const inLevel = (i: number) => shrinkOrder(columns[i]!) === level;
    let excess = total() - width;
    while (excess > 0) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) {
        if (!inLevel(i) || widths[i]! <= floor(i)) continue;
        if (widest === -1 || widths[i]! > widths[widest]!) widest = i;
      }
      if (widest === -1) break;
      let next = floor(widest);
      for (let i = 0; i < widths.length; i++) {
        if (i !== widest && inLevel(i) && widths[i]! < widths[widest]!) next = Math.max(next, widths[i]!);
      }
      const cut = Math.min(excess, widths[widest]! - next) || 1;
      widths[widest]! -= cut;
      excess -= cut;
    }
  }
  return widths;
}

/**
 * Lays out rows under headers in at most `width` terminal columns; each row may take several lines
 * (wrapped columns). Cells must already be escaped (see escapeTerminal); cells too wide for their
 * column end in `…`.
 */
export function layoutTable({
  columns,
  rows,
  width,
  gap = 2,
  headerStyle = (text) => text,
}: {
  columns: readonly Column[];
  rows: ReadonlyArray<readonly string[]>;
  width: number;
  gap?: number;
  headerStyle?: (text: string) => string;
}): { header: string; rows: string[][] } {
  const natural = columns.map((column, i) =>
    rows.reduce((max, row) => Math.max(max, displayWidth(row[i] ?? "")), displayWidth(column.header)),
  );
  const widths = fitWidths({ columns, natural, width, gap });
  const spacer = " ".repeat(gap);
  const line = (cells: readonly string[], style: (i: number, cell: string) => string) =>
    columns
      .map((column, i) =>
        style(i, pad(truncate(cells[i] ?? "", widths[i]!, column.cut), widths[i]!, column.align ?? "left")),
      )
      .join(spacer)
      .trimEnd();
  const cellStyle = (i: number, cell: string) => columns[i]!.style?.(cell) ?? cell;
  return {
    header: line(
      columns.map((c) => c.header),
      (_, cell) => headerStyle(cell),
    ),
    rows: rows.map((row) => {
      const wrapped = columns.map((column, i) =>
        column.wrap ? wrapText(row[i] ?? "", widths[i]!) : [row[i] ?? ""],
      );
      const height = Math.max(...wrapped.map((cell) => cell.length));
      return Array.from({ length: height }, (_, k) =>
        line(
          wrapped.map((cell) => cell[k] ?? ""),
          cellStyle,
        ),
      );
    }),
  };
}

/** {@link layoutTable} as plain lines: the header, then every row's lines. */
export function renderTable(options: Parameters<typeof layoutTable>[0]): string[] {
  const { header, rows } = layoutTable(options);
  return [header, ...rows.flat()];
}
