import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, openSync, realpathSync, statSync, type WriteStream } from "node:fs";
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

// A device or pipe (`/dev/null`, `/dev/stdout`, a FIFO) cannot be replaced by a rename, and must not be:
// renaming a temp file over it would swap the device node for a plain file. Such targets are written
// in place; only regular files (and new paths) get the temp file and rename.
function specialFile(target: string): string | null {
  if (!existsSync(target)) return null;
  const real = realpathSync(target);
  return statSync(real).isFile() ? null : real;
}

/** The error for a failed write to `file`: a full disk says so plainly. */
export function writeFailure(file: string, error: unknown): UserError {
  const code = (error as { code?: unknown }).code;
  const reason = code === "ENOSPC" ? "no space left on the device" : (error as Error).message;
  return new UserError(`cannot write ${file}: ${reason}`, { cause: error });
}

/** Writes straight into a device or pipe: there is nothing to rename, and nothing half-written to hide. */
function createDirectFile(file: string, device: string): AtomicFile {
  const stream = createWriteStream(device, { flags: "w" });
  let failure: unknown = null;
  stream.on("error", (error) => {
    failure = error;
  });
  let done = false;
  return {
    stream,
    async commit() {
      if (done) return;
      done = true;
      stream.end();
      await finished(stream).catch(() => undefined);
      if (failure !== null) throw writeFailure(file, failure);
    },
    abort() {
      done = true;
      stream.destroy();
      return Promise.resolve();
    },
  };
}

/**
 * Opens `file` for an atomic write (temp file in the same folder, so the rename stays on one disk). A
 * symlink is followed, so the file it points to is replaced and the link stays.
 */
export function createAtomicFile(file: string): AtomicFile {
  const given = path.resolve(file);
  const folder = path.dirname(given);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UserError(`cannot write ${file}: the folder ${folder} does not exist`);
  }
  if (existsSync(given) && statSync(given).isDirectory())
    throw new UserError(`cannot write ${file}: it is a directory`);
  const device = specialFile(given);
  if (device !== null) return createDirectFile(file, device);
  const target = existsSync(given) ? realpathSync(given) : given;
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  trackTempFile(temp);
  // Opened here rather than by the stream: from now on the file exists, so the clean-up of an interrupted
  // run finds it. An open still under way when Ctrl-C removes the temp files would create it after them.
  let fd: number;
  try {
    fd = openSync(temp, "wx", 0o644);
  } catch (error) {
    untrackTempFile(temp);
    throw writeFailure(file, error);
  }
  const stream = createWriteStream(temp, { fd });
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
        throw writeFailure(file, error);
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
