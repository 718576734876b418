import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** A temporary copy of stdin; `cleanup` removes it. */
export interface SpooledInput {
  path: string;
  cleanup(): Promise<void>;
}

/**
 * Copies stdin (or `stdin`, for tests) byte for byte to a temporary file, so a command that reads its
 * input twice (fit, then score) can take it from a pipe. Read the copy back as `{ name: "-", stream:
 * createReadStream(path) }` so records still say `-`.
 */
export async function spoolStdin({
  stdin = process.stdin,
}: { stdin?: AsyncIterable<Uint8Array | string> } = {}): Promise<SpooledInput> {
  const dir = await mkdtemp(join(tmpdir(), "oddity-stdin-"));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const path = join(dir, "stdin");
  try {
    await pipeline(stdin, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { path, cleanup };
}
