import { RECORD_FIELDS } from "@oddity/core";

/** Record fields a table of parsed requests holds as columns of the same name. */
export const TABLE_FIELDS: ReadonlyArray<(typeof RECORD_FIELDS)[number]> = RECORD_FIELDS.filter(
  (field) => field !== "source" && field !== "line" && field !== "raw",
);
