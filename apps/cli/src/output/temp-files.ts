import { unlinkSync } from "node:fs";

// Temp files not yet renamed into place; removed on an interrupted exit so no half-written output stays.
// Kept apart from the writer so the process-level handlers load nothing else.
const pending = new Set<string>();
let interrupted = false;

/** Called on Ctrl-C: from now on no output file is put in place, even by a run that unwinds normally. */
export function markInterrupted(): void {
  interrupted = true;
}

export function isInterrupted(): boolean {
  return interrupted;
}

export function trackTempFile(file: string): void {
  pending.add(file);
}

export function untrackTempFile(file: string): void {
  pending.delete(file);
}

/** Removes every temp file still pending (synchronous: called while the process exits). */
export function removePendingTempFiles(): void {
  for (const file of pending) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  pending.clear();
}
