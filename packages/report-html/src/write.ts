import { rename, rm, writeFile } from "node:fs/promises";
import { renderReport } from "./render.js";
import type { ReportData } from "./types.js";

/**
 * Renders `data` and writes it to `path` atomically (a temp file beside it, then a rename), so an
 * interrupted run never leaves half a report. Returns the size written in bytes.
 */
export async function writeReport({ data, path }: { data: ReportData; path: string }): Promise<number> {
  const html = await renderReport(data);
  const bytes = Buffer.from(html, "utf8");
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return bytes.length;
}
