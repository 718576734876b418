import type { LogRecord } from "@oddity/core";
import { readRecords } from "@oddity/core/testing";
import { fixture } from "@oddity/fixtures";

/** The lesson's 13,978 rows: the Codeup API log plus the four synthetic requests the lesson appends. */
export function lessonRecords(): Promise<LogRecord[]> {
  return readRecords({
    files: ["access.log", "lesson-synthetic.log"].map((file) => fixture(`codeup-api-access/${file}`)),
    format: { name: "combined" },
  });
}
