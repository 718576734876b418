import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Temp files not yet renamed into place, and temp folders in use; removed on an interrupted exit so no
// half-written output or spilled data stays. Kept apart from the writer so the process-level handlers
// load nothing else.
const pending = new Set<string>();
const folders = new Set<string>();
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

/** Creates a private folder in the system's temp folder (`TMPDIR`), removed on any exit. */
export function createTempFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "oddity-"));
  folders.add(folder);
  return folder;
}

/** Removes a folder made by {@link createTempFolder}, with everything in it. */
export function removeTempFolder(folder: string): void {
  folders.delete(folder);
  rmSync(folder, { recursive: true, force: true });
}

/** Removes every temp file and folder still pending (synchronous: called while the process exits). */
export function removePendingTempFiles(): void {
  for (const file of pending) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  pending.clear();
  for (const folder of folders) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // nothing more can be done while exiting
    }
  }
  folders.clear();
}

/** A folder made by {@link createTempFolder} the first time it is asked for. */
export interface LazyTempFolder {
  /** The folder's path, creating it on the first call. */
  readonly path: () => string;
  /** Removes the folder if it was created. */
  readonly remove: () => void;
}

export function lazyTempFolder(): LazyTempFolder {
  let folder: string | null = null;
  return {
    path: () => (folder ??= createTempFolder()),
    remove() {
      if (folder !== null) removeTempFolder(folder);
      folder = null;
    },
  };
}
