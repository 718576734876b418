import { formatCount, type InputStats } from "@oddity/core";
import type { Writable } from "node:stream";
import type { Palette } from "./color.js";
import { escapeTerminal } from "./escape.js";

/** Prints warnings (each once) and the run summary on stderr, neither with -q; log-derived text in warnings is escaped. */
export interface Reporter {
  warn(message: string): void;
  /** Every warning printed so far, for the JSON summary. */
  readonly warnings: readonly string[];
  info(message: string): void;
}

export function createReporter({
  stderr,
  palette,
  quiet,
}: {
  stderr: Writable;
  palette: Palette;
  quiet: boolean;
}): Reporter {
  const warnings: string[] = [];
  return {
    warn(message) {
      if (warnings.includes(message)) return;
      warnings.push(message);
      // -q keeps them in the JSON summary but off the terminal: a warning repeats on every run of a log.
      if (quiet) return;
      stderr.write(`${palette.yellow("warning:")} ${escapeTerminal(message)}\n`);
    },
    warnings,
    info(message) {
      if (!quiet) stderr.write(`${message}\n`);
    },
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function breakdown(counts: Readonly<Record<string, number>>, limit: number): string {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, limit).map(([name, n]) => `${formatCount(n)} ${name}`);
  if (sorted.length > limit) shown.push(`${sorted.length - limit} more kinds`);
  return shown.join("; ");
}

/**
 * `read 13,978 lines: 13,978 parsed, 0 rejected, 0 blank`, with the records per layout when a file mixes
 * them (`990 parsed (950 combined; 40 common)`) and the rejections per kind of reason.
 */
export function describeStats(stats: InputStats): string {
  const layouts = stats.layouts ?? {};
  const names = Object.keys(layouts);
  const mixed = names.length > 1 || (names.length === 1 && !/^v?(?:common|combined)$/.test(names[0]!));
  // Records an engine judged unflaggable and kept: read and parsed, never scored here.
  const notes = [
    ...(mixed ? [breakdown(layouts, 6)] : []),
    ...(stats.unscored
      ? [`${formatCount(stats.unscored)} left in the engine: no detector could flag them`]
      : []),
  ];
  const parsed = `${formatCount(stats.parsed)} parsed${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
  const kinds = stats.rejectedBy ?? {};
  const rejected = `${formatCount(stats.rejected)} rejected${Object.keys(kinds).length > 0 ? ` (${breakdown(kinds, 3)})` : ""}`;
  return `read ${formatCount(stats.read)} line${stats.read === 1 ? "" : "s"}: ${parsed}, ${rejected}, ${formatCount(stats.blank)} blank`;
}

/** The run summary line(s) for stderr. */
export function runSummary({
  stats,
  flagged,
  shown,
  ms,
  palette,
  baseline,
  rows,
}: {
  stats: InputStats;
  flagged?: number | undefined;
  shown?: number | undefined;
  ms: number;
  palette: Palette;
  /** What the model was fitted on, when it is not the scored input itself. */
  baseline?: string | undefined;
  /** What a shown row is, when it is not one anomaly (e.g. `incidents`). */
  rows?: string | undefined;
}): string {
  const parts = [`oddity: ${describeStats(stats)}`];
  if (baseline !== undefined) parts.push(`baseline ${baseline}`);
  if (flagged !== undefined) {
    const flaggedText = `${formatCount(flagged)} flagged`;
    parts.push(
      shown !== undefined && (shown < flagged || rows !== undefined)
        ? `${palette.bold(flaggedText)} (${formatCount(shown)}${rows === undefined ? "" : ` ${rows}`} shown)`
        : palette.bold(flaggedText),
    );
  }
  parts.push(`in ${seconds(ms)}`);
  return `${parts.join("; ")}\n`;
}
