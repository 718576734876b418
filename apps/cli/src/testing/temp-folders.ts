import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/**
 * For a test file: makes fresh folders in the system temp folder, named `prefix…`, and removes them all
 * when the file's tests end.
 */
export function tempFolders(prefix: string): () => string {
  const created: string[] = [];
  afterAll(() => {
    for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    created.push(dir);
    return dir;
  };
}
