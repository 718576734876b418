import path from "node:path";
import type { LogRecord } from "@oddity/core";
import { readRecords } from "@oddity/core/testing";

/** The shared/data folder beside the repository root. */
const DATA_DIR = path.resolve(import.meta.dirname, "../../../../shared/data");

/** Reads combined-format logs from shared/data; a rejected line fails the test. */
export function readCombinedLogs(...relative: string[]): Promise<LogRecord[]> {
  return readRecords({ files: relative.map((r) => path.join(DATA_DIR, r)), format: { name: "combined" } });
}

/** The lesson's 13,978 rows: the Codeup API log plus the four synthetic requests the lesson appends. */
export function lessonRecords(): Promise<LogRecord[]> {
  return readCombinedLogs("codeup-api-access/access.log", "codeup-api-access/lesson-synthetic.log");
}
