import type { InputStats } from "@oddity/core";
import type { Writable } from "node:stream";
import type { SingleBar } from "cli-progress";

/** Receives running totals; draws nothing unless enabled. */
export interface Progress {
  update(stats: InputStats): void;
  /** Removes the bar; call before printing anything else on stderr. */
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

// Short runs finish before a bar helps; showing one would only flicker.
const SHOW_AFTER_MS = 1000;

/**
 * A progress bar on stderr (bytes, lines and lines per second; a percentage when the total size is
 * known), only on a terminal, never with `--quiet`, and only once a run has lasted a second.
 */
export async function createProgress({
  stderr,
  quiet,
  label,
  totalBytes,
}: {
  stderr: Writable;
  quiet: boolean;
  label: string;
  totalBytes: number | null;
}): Promise<Progress> {
  if (quiet || (stderr as { isTTY?: boolean }).isTTY !== true) return NONE;
  const { default: cliProgress } = await import("cli-progress");
  const started = Date.now();
  let bar: SingleBar | null = null;
  const known = totalBytes !== null && totalBytes > 0;
  return {
    update(stats) {
      const elapsed = Date.now() - started;
      if (bar === null && elapsed < SHOW_AFTER_MS) return;
      const payload = {
        label,
        mb: (stats.bytes / 1048576).toFixed(1),
        lines: stats.read.toLocaleString("en-US"),
        rate: Math.round(stats.read / Math.max(elapsed / 1000, 0.001)).toLocaleString("en-US"),
      };
      if (bar === null) {
        bar = new cliProgress.SingleBar(
          {
            stream: stderr,
            format: known
              ? "{label} [{bar}] {percentage}% | {mb} MB | {lines} lines | {rate} lines/s"
              : "{label} {mb} MB | {lines} lines | {rate} lines/s",
            hideCursor: true,
            clearOnComplete: true,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(known ? totalBytes : 0, 0, payload);
      }
      bar.update(known ? Math.min(stats.bytes, totalBytes) : 0, payload);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
