import { COMBINE_MODES, z } from "@oddity/core";

const FORMAT_NAMES = [
  "auto",
  "common",
  "combined",
  "vcombined",
  "nginx",
  "apache",
  "jsonl",
  "csv",
  "tsv",
] as const;

/** Record field ← source key or column, for JSON Lines and CSV/TSV logs. */
const fieldMapping = z.record(z.string(), z.string());

interface FormatObject {
  name: (typeof FORMAT_NAMES)[number];
  logFormat?: string | undefined;
  fields?: Record<string, string> | undefined;
  column?: string | undefined;
  inner?: string | FormatObject | undefined;
  header?: boolean | undefined;
}

const formatObject: z.ZodType<FormatObject> = z.strictObject({
  name: z.enum(FORMAT_NAMES),
  logFormat: z.string().min(1).optional(),
  fields: fieldMapping.optional(),
  column: z.string().min(1).optional(),
  get inner() {
    return formatValue.optional();
  },
  header: z.boolean().optional(),
});

const formatValue: z.ZodType<string | FormatObject> = z.union([z.string().min(1), formatObject], {
  error:
    'expected a format name such as "combined", "jsonl", "csv:entry", "apache:<LogFormat>", or an object with "name"',
});

/** The detector entry as written: which module, under what id, with which options. */
const detectorEntry = z.strictObject({
  use: z.string().min(1),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, "expected an id of letters, digits, '_', '.' or '-'")
    .optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The config file as written. Objects are strict so a misspelt key is reported (with a suggestion)
 * instead of silently ignored.
 */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  format: formatValue.optional(),
  fields: fieldMapping.optional(),
  inputs: z.array(z.string().min(1)).optional(),
  database: z
    .strictObject({
      table: z.string().min(1).optional(),
      column: z.string().min(1).optional(),
      query: z.string().min(1).optional(),
      primaryKey: z.string().min(1).optional(),
    })
    .optional(),
  detectors: z.array(detectorEntry).optional(),
  scoring: z
    .strictObject({
      combine: z.enum(COMBINE_MODES).optional(),
      minScore: z.number().nonnegative().optional(),
      top: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** A config file after schema validation, before defaults. */
export type RawConfig = z.infer<typeof configSchema>;
export type RawFormat = string | FormatObject;
