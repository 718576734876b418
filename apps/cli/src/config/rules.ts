import type { OddityConfig } from "./normalize.js";

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
  client: "client",
  "@oddity/detector-client": "client",
  params: "params",
  "@oddity/detector-params": "params",
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

/** The rules every config goes through, in order. */
export const CONFIG_RULES: readonly ConfigRule[] = [
  atLeastOneDetector,
  distinctIds,
  tableOrQuery,
  fieldsNeedAMappedFormat,
  apacheNeedsLogFormat,
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
