import path from "node:path";
import { readInputs, type LogRecord } from "@oddity/core";

/** The shared/data folder beside the repository root. */
export const DATA_DIR = path.resolve(import.meta.dirname, "../../../../shared/data");

/** Reads combined-format logs from shared/data with core's reader; a rejected line fails the test. */
export async function readCombinedLogs(...relative: string[]): Promise<LogRecord[]> {
  const stream = readInputs({
    inputs: relative.map((r) => path.join(DATA_DIR, r)),
    format: { name: "combined" },
  });
  const records: LogRecord[] = [];
  for await (const batch of stream) {
    const [rejection] = batch.rejections;
    if (rejection) throw new Error(`${rejection.source}:${rejection.line} rejected: ${rejection.reason}`);
    records.push(...batch.records);
  }
  return records;
}

/** The lesson's 13,978 rows: the Codeup API log plus the four synthetic requests the lesson appends. */
export function lessonRecords(): Promise<LogRecord[]> {
  return readCombinedLogs("codeup-api-access/access.log", "codeup-api-access/lesson-synthetic.log");
}
