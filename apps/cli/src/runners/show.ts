import { performance } from "node:perf_hooks";
import { UserError, createFieldCache, formatCount, type LogRecord, type Rejection } from "@oddity/core";
import { colorEnabled, createPalette } from "../output/color.js";
import { escapeTerminal } from "../output/escape.js";
import { jsonText } from "../output/json.js";
import { runSummary } from "../output/report.js";
import { openSink, type Sink } from "../output/sink.js";
import { recordJSON } from "../output/record-json.js";
import { recordsCsvHeader, recordCsv, recordsTable } from "../output/records.js";
import { openPass, openRejects, resolveInputs, startSession, tapBatches, warnRejections } from "./common.js";
import type { InputOptions, RunContext } from "./context.js";
import { checkFieldName } from "./profile.js";

/** Options of `oddity show`. */
export interface ShowOptions extends InputOptions {
  /** `FIELD=VALUE` conditions, all of which must hold. */
  where: string[];
  format?: "table" | "json" | "ndjson" | "csv" | undefined;
  output?: string | undefined;
  /** Stop after this many matches; 0 or unset for all. */
  limit?: number | undefined;
  color?: boolean | undefined;
}

/** One `FIELD=VALUE` condition. */
export interface Condition {
  field: string;
  value: string;
}

/** Parses `--where FIELD=VALUE` (split at the first `=`, so values may contain `=`). */
export function parseCondition(text: string): Condition {
  const at = text.indexOf("=");
  if (at <= 0)
    throw new UserError(
      `--where ${JSON.stringify(text)}: expected FIELD=VALUE, e.g. --where user_agent=Python-urllib/3.7`,
    );
  return { field: text.slice(0, at).trim(), value: text.slice(at + 1) };
}

/**
 * A predicate true when every condition holds. An absent field matches `-`, as it is logged and as
 * `profile` counts it.
 */
export function matcher(conditions: readonly Condition[]): (record: LogRecord) => boolean {
  // Every record is read: a `path_template` condition works each path's template out once.
  const fields = createFieldCache();
  const tests = conditions.map(({ field, value }) => {
    const read = fields.reader(field);
    return (record: LogRecord) => {
      const text = read(record);
      return text === null ? value === "-" : text === value;
    };
  });
  return (record) => tests.every((test) => test(record));
}

/** `oddity show`: the records behind a value, like the lesson's `df[df.user_agent == ...]`. */
export async function runShow(options: ShowOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const format = options.format ?? "table";
  if (options.where.length === 0) throw new UserError("show needs at least one --where FIELD=VALUE");
  const conditions = options.where.map(parseCondition);
  const session = await startSession({ options, ctx, color: options.color });
  for (const { field } of conditions) checkFieldName(field, session.reporter);
  const inputs = resolveInputs({ given: options.inputs, config: session.config, stdin: ctx.stdin });
  const sink: Sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  const rejects = openRejects(options.rejects, ctx.stdout);
  const matches = matcher(conditions);
  const limit = options.limit === undefined || options.limit === 0 ? Number.POSITIVE_INFINITY : options.limit;
  const kept: LogRecord[] = [];
  let matched = 0;
  try {
    if (format === "csv") await sink.write(recordsCsvHeader());
    const seen: { first: Rejection | null } = { first: null };
    const { stream, progress } = await openPass({ session, inputs, options, ctx, label: "searching" });
    try {
      for await (const batch of tapBatches({ stream, rejects, strict: options.strict === true, seen })) {
        for (const record of batch.records) {
          if (matched >= limit || !matches(record)) continue;
          matched++;
          if (format === "ndjson") await sink.write(`${jsonText(recordJSON(record))}\n`);
          else if (format === "csv") await sink.write(recordCsv(record));
          else kept.push(record);
        }
      }
    } finally {
      progress.stop();
    }
    for (const warning of stream.warnings) session.reporter.warn(warning);
    warnRejections({
      reporter: session.reporter,
      stats: stream.stats,
      first: seen.first,
      rejectsFile: options.rejects,
    });
    if (format === "json") {
      await sink.write(`${jsonText({ matched, records: kept.map(recordJSON) }, 2)}\n`);
    } else if (format === "table") {
      const palette = createPalette(
        colorEnabled({ isTTY: sink.isTTY, noColor: options.color === false, env: ctx.env }),
      );
      await sink.write(
        kept.length === 0
          ? `No records where ${escapeTerminal(conditions.map((c) => `${c.field} = ${JSON.stringify(c.value)}`).join(" and "))}.\n`
          : recordsTable({
              records: kept,
              width: sink.isTTY ? sink.columns : Number.POSITIVE_INFINITY,
              palette,
            }),
      );
    }
    await sink.close();
    await rejects?.close();
    session.reporter.info(
      `${runSummary({ stats: stream.stats, ms: performance.now() - started, palette: session.palette }).trimEnd()}; ${formatCount(matched)} matched${matched >= limit ? ` (--limit ${options.limit})` : ""}`,
    );
    return 0;
  } catch (error) {
    await sink.abort();
    await rejects?.abort();
    throw error;
  }
}
