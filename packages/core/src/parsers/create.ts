import { ConfigError } from "../errors.js";
import type { FormatSpec, LineParser } from "../input/types.js";
import { createClfParser, createNcsaParser } from "./clf.js";
import { createDelimitedParser } from "./csv.js";
import { createJsonlParser } from "./jsonl.js";
import { compileApacheFormat, compileNginxFormat, createLogFormatParser } from "./log-format.js";
import { resolveFormatWith } from "./sniff.js";

/**
 * A parser for a format. `auto` sniffs the first line it is given (readInputs sniffs up to 50 lines per
 * source instead). Throws ConfigError for a spec that cannot work (unknown name, bad format string);
 * the parser itself never throws.
 */
export function createParser(spec: FormatSpec): LineParser {
  switch (spec.name) {
    case "common":
    case "combined":
    case "vcombined":
      return createClfParser(spec.name);
    case "ncsa":
      return createNcsaParser(spec.layout ?? "combined");
    case "nginx":
      if (spec.logFormat === undefined) return createClfParser("combined", "nginx");
      return createLogFormatParser(
        compileNginxFormat(spec.logFormat),
        `nginx ${JSON.stringify(spec.logFormat)}`,
      );
    case "apache":
      if (spec.logFormat === undefined || spec.logFormat.trim().length === 0) {
        throw new ConfigError(
          'the apache format needs a LogFormat string, e.g. apache:%h %l %u %t "%r" %>s %b',
        );
      }
      return createLogFormatParser(
        compileApacheFormat(spec.logFormat),
        `apache ${JSON.stringify(spec.logFormat)}`,
      );
    case "jsonl":
      return createJsonlParser(spec);
    case "csv":
      return createDelimitedParser(spec, ",", createParser);
    case "tsv":
      return createDelimitedParser(spec, "\t", createParser);
    case "auto":
      return createAutoParser();
    default:
      throw new ConfigError(`unknown log format ${JSON.stringify((spec as { name: unknown }).name)}`);
  }
}

function createAutoParser(): LineParser {
  let chosen: LineParser | null = null;
  return {
    get description() {
      return chosen === null ? "auto" : chosen.description;
    },
    parse(line, source, lineNumber) {
      chosen ??= createParser(
        resolveFormatWith({ spec: { name: "auto" }, lines: [line], createParser }).spec,
      );
      return chosen.parse(line, source, lineNumber);
    },
  };
}
