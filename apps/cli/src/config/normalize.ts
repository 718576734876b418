import { isUserError, nearest, parseFormatOption, z, type CombineMode, type FormatSpec } from "@oddity/core";
import type { KeyPath } from "./parse.js";
import { configSchema, type RawConfig, type RawFormat } from "./schema.js";

/** One detector as the config lists it, with where it was written (for messages). */
export interface ConfiguredDetector {
  use: string;
  id?: string;
  options?: unknown;
  /** Key path for messages, e.g. `oddity.config.yaml: detectors[1]`. */
  where: string;
}

/** Database settings used when an input is a connection URL. */
export interface DatabaseSettings {
  table?: string;
  column?: string;
  query?: string;
  primaryKey?: string;
}

/** The config every command works from, whatever file format it came from (or none). */
export interface OddityConfig {
  /** Absolute path of the config file; null when no file was found and defaults apply. */
  file: string | null;
  /** How messages name the file: relative to the working directory. */
  name: string;
  /** Folder that relative plugin paths and bare package names resolve from. */
  dir: string;
  /** Input format; `auto` sniffs. */
  format: FormatSpec;
  /** Inputs used when the command line names none. */
  inputs: string[];
  database: DatabaseSettings;
  /** The pipeline; the bundled three when the config lists none. */
  detectors: ConfiguredDetector[];
  scoring: { combine?: CombineMode; minScore?: number; top?: number };
}

/** The outcome of a config step: problems are returned, not thrown. */
export interface ConfigResult<T> {
  config: T | null;
  warnings: string[];
  errors: string[];
}

/**
 * The pipeline when a config lists no detectors: the bundled detectors with their defaults, except that
 * size compares responses of one path template and one status (a path answers 200s, empty 304s and 404
 * pages of very different sizes; grouped by path alone, elastic-nginx's downloads are 6.5% "outliers"
 * among its 404 pages, grouped by path and status 1.6%), and the client detector runs twice, by address
 * and by user agent, so a scan spread over rotating addresses is judged as one client too, and targets
 * finds the paths such scans converge on.
 * `@oddity/eval`'s DEFAULT_ENTRIES lists the same entries (a test holds them equal).
 */
export const DEFAULT_PIPELINE: ReadonlyArray<{
  use: string;
  id?: string;
  options?: Record<string, unknown>;
}> = [
  { use: "rarity" },
  { use: "conditional" },
  { use: "size", options: { groupBy: ["path_template", "status"] } },
  { use: "params" },
  { use: "client" },
  { use: "client", id: "client-by-agent", options: { key: "user_agent" } },
  { use: "targets" },
];

/** `["detectors", 0, "options"]` → `detectors[0].options`. */
export function formatPath(path: KeyPath): string {
  return path
    .map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join("");
}

/** Shows a received value briefly: strings quoted, containers by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return typeof value;
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

// Walks the schema along a key path to find which keys the object there accepts.
function keysAt(schema: z.ZodType, path: KeyPath): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of [...path, null]) {
    while (current instanceof z.ZodOptional || current instanceof z.ZodUnion) {
      current =
        current instanceof z.ZodOptional
          ? (current.unwrap() as z.ZodType)
          : (current.options as z.ZodType[]).find((option) => option instanceof z.ZodObject);
    }
    if (segment === null) break;
    if (current instanceof z.ZodObject)
      current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

type Issue = z.core.$ZodIssue;

function describeIssue({
  issue,
  prefix,
  root,
}: {
  issue: Issue;
  prefix: KeyPath;
  root: unknown;
}): Array<{ path: KeyPath; message: string }> {
  const path = [...prefix, ...(issue.path as Array<string | number>)];
  const received = describeValue(valueAt(root, path));
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = keysAt(configSchema, path);
      return issue.keys.map((key) => {
        const guess = nearest(key, known);
        const hint = guess ? `did you mean "${guess}"?` : `known keys: ${known.join(", ")}`;
        return { path: [...path, key], message: `unknown key; ${hint}` };
      });
    }
    case "invalid_type":
      return [
        {
          path,
          message: `expected ${issue.expected === "record" ? "a mapping" : issue.expected}, received ${received}`,
        },
      ];
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v));
      const value = valueAt(root, path);
      const guess =
        typeof value === "string"
          ? nearest(
              value,
              issue.values.filter((v): v is string => typeof v === "string"),
            )
          : undefined;
      return [
        {
          path,
          message: `expected one of ${options.join(", ")}, received ${received}${guess ? `; did you mean "${guess}"?` : ""}`,
        },
      ];
    }
    case "invalid_union": {
      // Report the branch the value was meant for: the object form for mappings, the text form otherwise.
      const value = valueAt(root, path);
      const branch = issue.errors.find((errors) =>
        errors.every((e) => !(e.code === "invalid_type" && e.path.length === 0)),
      );
      if (typeof value === "object" && value !== null && branch) {
        return branch.flatMap((inner) => describeIssue({ issue: inner, prefix: path, root }));
      }
      return [{ path, message: `${issue.message}, received ${received}` }];
    }
    default:
      return [
        {
          path,
          message: `${issue.message.replace(/^Too (small|big): /, "").replace(/^expected /, "expected ")}, received ${received}`,
        },
      ];
  }
}

function toFormatSpec(raw: RawFormat): FormatSpec {
  if (typeof raw === "string") return parseFormatOption(raw);
  const spec: FormatSpec = { name: raw.name };
  if (raw.logFormat !== undefined) spec.logFormat = raw.logFormat;
  if (raw.fields !== undefined) spec.fields = { ...raw.fields };
  if (raw.column !== undefined) spec.column = raw.column;
  if (raw.header !== undefined) spec.header = raw.header;
  if (raw.inner !== undefined) spec.inner = toFormatSpec(raw.inner);
  return spec;
}

/**
 * Validates a parsed config value and fills in defaults. Every problem names the file, the key path,
 * what was expected and what was found, and (for YAML/JSON) the line.
 */
export function normalizeConfig({
  value,
  file,
  name,
  dir,
  lineOf = () => undefined,
}: {
  value: unknown;
  file: string | null;
  name: string;
  dir: string;
  lineOf?: (path: KeyPath) => number | undefined;
}): ConfigResult<OddityConfig> {
  const where = (path: KeyPath, message: string) => {
    const line = lineOf(path);
    return `${name}: ${path.length > 0 ? `${formatPath(path)}: ` : ""}${message}${line === undefined ? "" : ` (line ${line})`}`;
  };
  const input = value ?? {};
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues
      .flatMap((issue) => describeIssue({ issue, prefix: [], root: input }))
      .map(({ path, message }) => where(path, message));
    return { config: null, warnings: [], errors: [...new Set(errors)] };
  }
  const raw: RawConfig = parsed.data;
  const errors: string[] = [];
  let format: FormatSpec = { name: "auto" };
  if (raw.format !== undefined) {
    try {
      format = toFormatSpec(raw.format);
    } catch (error) {
      if (!isUserError(error)) throw error;
      errors.push(where(["format"], error.message));
    }
  }
  if (raw.fields !== undefined && format.fields === undefined)
    format = { ...format, fields: { ...raw.fields } };
  const entries: NonNullable<RawConfig["detectors"]> =
    raw.detectors ?? DEFAULT_PIPELINE.map((d) => ({ ...d }));
  const detectors = entries.map((entry, i) => {
    const detector: ConfiguredDetector = { use: entry.use, where: `${name}: detectors[${i}]` };
    if (entry.id !== undefined) detector.id = entry.id;
    if (entry.options !== undefined) detector.options = entry.options;
    return detector;
  });
  const config: OddityConfig = {
    file,
    name,
    dir,
    format,
    inputs: raw.inputs ?? [],
    database: { ...raw.database },
    detectors,
    scoring: { ...raw.scoring },
  };
  // The config comes back with its errors, so the rules can still check the rest and every problem of
  // the file is reported in one run.
  return { config, warnings: [], errors };
}
