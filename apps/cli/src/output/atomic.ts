import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, statSync, type WriteStream } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { UserError } from "@oddity/core";
import { isInterrupted, trackTempFile, untrackTempFile } from "./temp-files.js";

/** A file written under a temporary name and renamed into place on commit, so readers never see half. */
export interface AtomicFile {
  readonly stream: WriteStream;
  /** Finishes writing and renames the temp file to the target. */
  commit(): Promise<void>;
  /** Drops the temp file; the target is untouched. */
  abort(): Promise<void>;
}

/** Opens `file` for an atomic write (temp file in the same folder, so the rename stays on one disk). */
export function createAtomicFile(file: string): AtomicFile {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UserError(`cannot write ${file}: the folder ${folder} does not exist`);
  }
  if (existsSync(target) && statSync(target).isDirectory())
    throw new UserError(`cannot write ${file}: it is a directory`);
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  trackTempFile(temp);
  const stream = createWriteStream(temp, { flags: "wx", mode: 0o644 });
  let failure: Error | null = null;
  stream.on("error", (error) => {
    failure = error;
  });
  let done = false;
  return {
    stream,
    async commit() {
      if (done) return;
      if (isInterrupted()) {
        await this.abort();
        throw Object.assign(new Error("interrupted"), { name: "AbortError" });
      }
      done = true;
      stream.end();
      await finished(stream).catch(() => undefined);
      try {
        if (failure !== null) throw failure;
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        untrackTempFile(temp);
        throw new UserError(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
      }
      untrackTempFile(temp);
    },
    async abort() {
      if (done) return;
      done = true;
      stream.destroy();
      await unlink(temp).catch(() => undefined);
      untrackTempFile(temp);
    },
  };
}

/** Writes a whole text atomically. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const out = createAtomicFile(file);
  out.stream.write(text);
  await out.commit();
}
