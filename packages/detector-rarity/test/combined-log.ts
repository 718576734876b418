import path from "node:path";
import type { LogRecord } from "@oddity/core";
import { readRecords } from "@oddity/core/testing";

/** The lesson's log in the shared/data folder beside the repository root. */
const LESSON_DIR = path.resolve(import.meta.dirname, "../../../../shared/data/codeup-api-access");

/** The lesson's 13,978 rows: the Codeup API log plus the four synthetic requests the lesson appends. */
export function lessonRecords(): Promise<LogRecord[]> {
  return readRecords({
    files: ["access.log", "lesson-synthetic.log"].map((file) => path.join(LESSON_DIR, file)),
    format: { name: "combined" },
  });
}
