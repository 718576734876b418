import { realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { UserError } from "@oddity/core";
import { renderReport } from "./render.js";
import type { ReportData } from "./types.js";

// Where the page goes. A symlink is followed, so the file it points to is replaced and the link stays;
// a device or pipe (`/dev/stdout`, a FIFO) is written in place, since renaming over it would replace
// the device node itself.
async function destination(path: string): Promise<{ target: string; inPlace: boolean }> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return { target: path, inPlace: false };
  }
  return { target: real, inPlace: !(await stat(real)).isFile() };
}

function writeFailure(path: string, error: unknown): UserError {
  const code = (error as { code?: unknown }).code;
  const reason = code === "ENOSPC" ? "no space left on the device" : (error as Error).message;
  return new UserError(`cannot write ${path}: ${reason}`, { cause: error });
}

/**
 * Renders `data` and writes it to `path` atomically (a temp file beside it, then a rename), so an
 * interrupted run never leaves half a report. Returns the size written in bytes. A failed write (a full
 * disk, a missing folder) is a `UserError` naming the path.
 */
export async function writeReport({ data, path }: { data: ReportData; path: string }): Promise<number> {
  const html = await renderReport(data);
  const bytes = Buffer.from(html, "utf8");
  const { target, inPlace } = await destination(path);
  if (inPlace) {
    await writeFile(target, bytes).catch((error: unknown) => Promise.reject(writeFailure(path, error)));
    return bytes.length;
  }
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeFailure(path, error);
  }
  return bytes.length;
}
