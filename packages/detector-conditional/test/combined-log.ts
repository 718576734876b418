import type { LogRecord } from "@oddity/core";
import { readRecords } from "@oddity/core/testing";
import { fixture } from "@oddity/fixtures";

/** Reads combined-format logs of @oddity/fixtures; a rejected line fails the test. */
export function readCombinedLogs(...relative: string[]): Promise<LogRecord[]> {
  return readRecords({ files: relative.map((r) => fixture(r)), format: { name: "combined" } });
}

/** The lesson's 13,978 rows: the Codeup API log plus the four synthetic requests the lesson appends. */
export function lessonRecords(): Promise<LogRecord[]> {
  return readCombinedLogs("codeup-api-access/access.log", "codeup-api-access/lesson-synthetic.log");
}
