import { DERIVED_FIELDS, FIELD_ALIASES, RECORD_FIELDS } from "@oddity/core";

/** Every field name a config may write: record fields, derived fields and their aliases. */
export const ALL_FIELD_NAMES_FOR_CONFIG: readonly string[] = [
  ...RECORD_FIELDS,
  ...DERIVED_FIELDS,
  ...Object.keys(FIELD_ALIASES),
];
