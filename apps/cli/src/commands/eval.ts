import type { Argv } from "yargs";
import { inputOptionsOf, wholeNumber, withInputOptions, withOutputOptions } from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";

function builder(yargs: Argv) {
  return withOutputOptions(withInputOptions(yargs))
    .option("lines", {
      type: "number",
      default: 20_000,
      describe: "lines of generated traffic when no log is given",
      coerce: wholeNumber("lines", 1),
    })
    .option("seed", {
      type: "number",
      default: 1,
      describe: "seed of the generator and the injector",
      coerce: wholeNumber("seed"),
    })
    .option("rate", { type: "number", default: 0.01, describe: "anomalies planted per record" })
    .option("kind", {
      type: "string",
      array: true,
      describe: "anomaly kinds to plant (repeatable; default all)",
    })
    .option("k", { type: "number", array: true, describe: "ranks for precision@k (default 10 50 100)" })
    .option("csic", {
      type: "string",
      describe:
        "evaluate on the labelled CSIC 2010 data in DIR instead (fit on normal training, score the tests)",
    })
    .option("limit", {
      type: "number",
      describe: "with --csic: read at most N requests per file",
      coerce: wholeNumber("limit", 1),
    })
    .option("protect", {
      type: "boolean",
      default: false,
      describe: "with --csic: protect the training baseline (fit, drop flagged, refit)",
    })
    .option("scenario", {
      choices: ["planted", "real", "probes"] as const,
      default: "planted" as const,
      describe:
        "planted: anomalies planted in generated traffic or your log; real: a log labelled by source address (default: the bundled real-tool log); probes: the share of probes in the default table's top of your log",
    })
    .option("labels", {
      type: "string",
      describe:
        "with --scenario real and a log: JSON file from source address to label (normal or a tool name)",
    })
    .option("top", {
      type: "number",
      default: 20,
      describe: "with --scenario probes: how many of the table's first rows to judge",
      coerce: wholeNumber("top", 1),
    })
    .option("format", {
      alias: "f",
      choices: ["table", "json"] as const,
      default: "table" as const,
      describe: "output format",
    })
    .example("$0 eval", "plant anomalies in generated API traffic and measure the configured pipeline")
    .example("$0 eval access.log --rate 0.005", "plant anomalies in your own log")
    .example("$0 eval --csic data/csic2010", "the labelled CSIC 2010 web-attack set")
    .example("$0 eval --scenario real", "the bundled log of real attack tools among ordinary clients")
    .example("$0 eval --scenario probes access.log", "how many of the table's top 20 are scanner probes");
}

/** `oddity eval`: how well the configured pipeline finds labelled anomalies. */
export const evalCommand = defineCommand({
  command: "eval [inputs..]",
  describe:
    "measure detection quality: plant labelled anomalies (or use CSIC 2010) and report precision, recall, P@k, ROC AUC",
  builder,
  handler: async (argv) => {
    const { runEval } = await import("../runners/eval.js");
    setExitCode(
      await runEval(
        {
          ...inputOptionsOf(argv),
          lines: argv.lines,
          seed: argv.seed,
          rate: argv.rate,
          kinds: argv.kind?.map(String),
          k: argv.k?.map(Number),
          csic: argv.csic,
          limit: argv.limit,
          protect: argv.protect,
          scenario: argv.scenario,
          labels: argv.labels,
          top: argv.top,
          format: argv.format,
          output: argv.output,
        },
        runContext(),
      ),
    );
  },
});
