import { readFile } from "node:fs/promises";
import {
  InputError,
  UserError,
  createParser,
  parseFormatOption,
  sniffFormat,
  type LineParser,
} from "@oddity/core";
import { loadModel } from "../model-io.js";
import { startSession } from "./common.js";
import type { RunContext } from "./context.js";

/** Options of `oddity report`. */
export interface ReportOptions {
  results?: string | undefined;
  model?: string | undefined;
  output: string;
  config?: string | undefined;
  logFormat?: string | undefined;
  title?: string | undefined;
  quiet?: boolean | undefined;
}

async function readResults(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(
      `${file}: cannot read the results: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(
      `${file}: expected the JSON that \`oddity detect --format json\` writes, but it does not parse (${(error as Error).message})`,
    );
  }
}

// The raw lines of saved anomalies are re-parsed to place them on the timeline and size charts.
function parserFor(results: unknown, logFormat: string | undefined): LineParser | undefined {
  if (logFormat !== undefined && logFormat !== "auto") return createParser(parseFormatOption(logFormat));
  const anomalies = (results as { anomalies?: unknown } | null)?.anomalies;
  if (!Array.isArray(anomalies)) return undefined;
  const lines = anomalies
    .map((a) => (a as { raw?: unknown }).raw)
    .filter((raw): raw is string => typeof raw === "string")
    .slice(0, 50);
  if (lines.length === 0) return undefined;
  return createParser(sniffFormat({ lines }).spec);
}

/** `oddity report`: the HTML report from saved detect results and/or a model. */
export async function runReport(options: ReportOptions, ctx: RunContext): Promise<number> {
  if (options.results === undefined && options.model === undefined) {
    throw new UserError(
      "report needs --results FILE (saved `oddity detect --format json` output), --model FILE, or both",
    );
  }
  const session = await startSession({ options: { config: options.config, quiet: options.quiet }, ctx });
  const report = await import("@oddity/report-html");
  const results = options.results === undefined ? undefined : await readResults(options.results);
  const model =
    options.model === undefined
      ? undefined
      : await loadModel({
          file: options.model,
          loader: session.loader,
          config: session.config,
        });
  const parser = results === undefined ? undefined : parserFor(results, options.logFormat);
  const data = report.reportDataFromResults({
    ...(results === undefined ? {} : { results }),
    ...(model === undefined ? {} : { model }),
    ...(parser === undefined ? {} : { parser }),
    where: options.results ?? options.model!,
    generatedBy: "oddity report",
    ...(options.title === undefined ? {} : { title: options.title }),
  });
  const bytes = await report.writeReport({ data, path: options.output });
  session.reporter.info(`report written to ${options.output} (${Math.round(bytes / 1024)} KiB)`);
  return 0;
}
