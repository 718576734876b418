import { ALL_FIELD_NAMES_FOR_CONFIG } from "./field-names.js";
import type { OddityConfig } from "./normalize.js";
import { isKnownField, NCSA_EXTRA_FIELDS, nearest } from "@oddity/core";

/** What a rule reports about a normalized config. */
export interface RuleReport {
  errors: string[];
  warnings: string[];
}

/** A check across keys that the schema alone cannot express. Pure: reads the config, returns findings. */
export type ConfigRule = (config: OddityConfig) => Partial<RuleReport>;

const BUILTIN_NAMES: Readonly<Record<string, string>> = {
  rarity: "rarity",
  "@oddity/detector-rarity": "rarity",
  conditional: "conditional",
  "@oddity/detector-conditional": "conditional",
  size: "size",
  "@oddity/detector-size": "size",
  params: "params",
  "@oddity/detector-params": "params",
  client: "client",
  "@oddity/detector-client": "client",
};

const atLeastOneDetector: ConfigRule = (config) =>
  config.detectors.length === 0
    ? {
        errors: [
          `${config.name}: detectors: the list is empty; list at least one detector, or remove the key to use the bundled ones`,
        ],
      }
    : {};

// The instance id defaults to the detector's name, so two entries of one bundled detector clash unless
// each has its own id. Plugin names are only known after loading; createPipeline catches those.
const distinctIds: ConfigRule = (config) => {
  const seen = new Map<string, number>();
  const errors: string[] = [];
  config.detectors.forEach((detector, i) => {
    const id = detector.id ?? BUILTIN_NAMES[detector.use];
    if (id === undefined) return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else
      errors.push(
        `${detector.where}.id: "${id}" is already used by detectors[${first}]; give this entry its own "id"`,
      );
  });
  return { errors };
};

const tableOrQuery: ConfigRule = (config) => {
  const { table, column, query } = config.database;
  const errors: string[] = [];
  if (query !== undefined && (table !== undefined || column !== undefined)) {
    errors.push(`${config.name}: database: give either "query" or "table" (with "column"), not both`);
  }
  if (column !== undefined && table === undefined) {
    errors.push(`${config.name}: database.column: needs "table" too (the table that holds the raw lines)`);
  }
  return { errors };
};

const MAPPED_FORMATS = new Set(["jsonl", "csv", "tsv", "auto"]);

const fieldsNeedAMappedFormat: ConfigRule = (config) =>
  config.format.fields !== undefined && !MAPPED_FORMATS.has(config.format.name)
    ? {
        warnings: [
          `${config.name}: fields: only JSON Lines and CSV/TSV logs use a field mapping; it is ignored for "${config.format.name}"`,
        ],
      }
    : {};

const apacheNeedsLogFormat: ConfigRule = (config) =>
  config.format.name === "apache" && config.format.logFormat === undefined
    ? {
        errors: [
          `${config.name}: format.logFormat: the "apache" format needs its LogFormat string, e.g. '%h %l %u %t "%r" %>s %b'`,
        ],
      }
    : {};

// Formats whose lines can carry any extra field (JSON keys, CSV columns, LogFormat headers): a name
// oddity does not know may be one of those, so it is a warning there, not an error.
const OPEN_LAYOUTS = new Set(["jsonl", "csv", "tsv", "apache"]);

/** Where bundled detectors' options name fields: each field name with its key path. */
function namedFields(use: string, options: unknown): Array<{ path: string; name: string }> {
  if (typeof options !== "object" || options === null) return [];
  const o = options as Record<string, unknown>;
  const out: Array<{ path: string; name: string }> = [];
  const add = (path: string, value: unknown) => {
    if (typeof value === "string") out.push({ path, name: value });
  };
  switch (BUILTIN_NAMES[use]) {
    case "rarity":
      if (Array.isArray(o.fields))
        o.fields.forEach((f: unknown, i) =>
          typeof f === "string"
            ? add(`fields[${i}]`, f)
            : add(`fields[${i}].field`, (f as { field?: unknown } | null)?.field),
        );
      break;
    case "conditional":
      if (Array.isArray(o.pairs))
        o.pairs.forEach((p: unknown, i) => {
          add(`pairs[${i}].given`, (p as { given?: unknown } | null)?.given);
          add(`pairs[${i}].target`, (p as { target?: unknown } | null)?.target);
        });
      break;
    case "size":
      add("field", o.field);
      if (Array.isArray(o.groupBy)) o.groupBy.forEach((g: unknown, i) => add(`groupBy[${i}]`, g));
      else add("groupBy", o.groupBy);
      break;
  }
  return out;
}

// A field name in a bundled detector's options must be one oddity knows or one the log layout
// provides (a `fields` mapping, vcombined's vhost); else it is likely a typo and the detector would
// silently watch nothing. The nearest known name is suggested.
// Under auto-detection the NCSA reader names trailing fields (ingress-nginx's request_time ...) and
// takes any `key=value` field's name: its names are provided, and an unknown name is a typo (an error)
// only when it is near a known one.
const NCSA_LAYOUTS = new Set(["auto", "ncsa"]);
const FIELD_N = /^field_\d+$/;

const knownFieldNames: ConfigRule = (config) => {
  const ncsa = NCSA_LAYOUTS.has(config.format.name);
  const provided = new Set([
    ...Object.keys(config.format.fields ?? {}),
    ...(config.format.name === "vcombined" ? ["vhost"] : []),
    ...(ncsa ? NCSA_EXTRA_FIELDS : []),
  ]);
  const open = OPEN_LAYOUTS.has(config.format.name) || config.format.logFormat !== undefined;
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const detector of config.detectors) {
    for (const { path, name } of namedFields(detector.use, detector.options)) {
      if (isKnownField(name) || provided.has(name) || (ncsa && FIELD_N.test(name))) continue;
      const guess = nearest(name, [...ALL_FIELD_NAMES_FOR_CONFIG, ...provided]);
      const message = `${detector.where}.options.${path}: "${name}" is not a known field${guess === undefined ? "" : `; did you mean "${guess}"?`}`;
      if (open || (ncsa && guess === undefined))
        warnings.push(`${message} (read as an extra field of the ${config.format.name} lines)`);
      else errors.push(`${message} (the ${config.format.name} format has no such field)`);
    }
  }
  return { errors, warnings };
};

/** The rules every config goes through, in order. */
export const CONFIG_RULES: readonly ConfigRule[] = [
  atLeastOneDetector,
  distinctIds,
  tableOrQuery,
  fieldsNeedAMappedFormat,
  apacheNeedsLogFormat,
  knownFieldNames,
];

/** Runs every rule and gathers what they report. */
export function checkConfig(config: OddityConfig, rules: readonly ConfigRule[] = CONFIG_RULES): RuleReport {
  const report: RuleReport = { errors: [], warnings: [] };
  for (const rule of rules) {
    const { errors = [], warnings = [] } = rule(config);
    report.errors.push(...errors);
    report.warnings.push(...warnings);
  }
  return report;
}
