import { LineCounter, isMap, isSeq, parseDocument, type Document } from "yaml";

/** A key path into the config, e.g. `["detectors", 0, "options"]`. */
export type KeyPath = ReadonlyArray<string | number>;

/** What parsing a config text gives: the value, syntax errors, and a way to find a key's line. */
export interface ParsedConfig {
  value: unknown;
  errors: string[];
  /** The 1-based line where a key path is written, when the text is YAML/JSON and the path exists. */
  lineOf: (path: KeyPath) => number | undefined;
}

function locator(document: Document | null, counter: LineCounter): (path: KeyPath) => number | undefined {
  return (path) => {
    if (document === null || path.length === 0) return undefined;
    const parent = document.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    let offset: number | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => {
        const key = item.key as { value?: unknown } | null;
        return key !== null && typeof key === "object" && String(key.value) === String(last);
      });
      offset = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
    } else if (isSeq(parent) && typeof last === "number") {
      offset = (parent.items[last] as { range?: [number, number, number] } | undefined)?.range?.[0];
    }
    return offset === undefined ? undefined : counter.linePos(offset).line;
  };
}

function jsonPosition(message: string, text: string): string {
  const match = /position (\d+)/.exec(message);
  if (!match) return "";
  const before = text.slice(0, Number(match[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `:${line}:${column}`;
}

/** Deeper than any real config; the YAML parser exhausts memory on ~100,000 levels instead of throwing. */
export const MAX_NESTING = 1_000;

/**
 * The deepest nesting of flow brackets (`[`, `{`) outside quoted strings and comments: a cheap upper-bound
 * check run before the parser, which cannot be stopped once it runs out of memory.
 */
export function flowNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      if (end === -1) break;
      i = end;
    } else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/**
 * Parses YAML or JSON config text. Syntax errors name the file, line and column
 * (`oddity.config.yaml:7:1: ...`); nothing throws.
 */
export function parseConfigText({
  text,
  name,
  syntax,
}: {
  text: string;
  name: string;
  syntax: "yaml" | "json";
}): ParsedConfig {
  if (flowNesting(text) > MAX_NESTING) {
    return {
      value: undefined,
      errors: [
        `${name}: invalid ${syntax === "json" ? "JSON" : "YAML"}: nested more than ${MAX_NESTING} levels deep`,
      ],
      lineOf: () => undefined,
    };
  }
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  if (syntax === "json") {
    try {
      const value: unknown = JSON.parse(text);
      return { value, errors: [], lineOf: locator(document.errors.length === 0 ? document : null, counter) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        value: undefined,
        errors: [`${name}${jsonPosition(message, text)}: invalid JSON: ${message}`],
        lineOf: () => undefined,
      };
    }
  }
  if (document.errors.length > 0) {
    const errors = document.errors.map((error) => {
      const where = error.linePos?.[0];
      const reason = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      return `${name}${where ? `:${where.line}:${where.col}` : ""}: invalid YAML: ${reason}`;
    });
    return { value: undefined, errors, lineOf: () => undefined };
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // Aliases that expand to millions of nodes (a "billion laughs" file): yaml refuses them by throwing.
    const reason = error instanceof Error ? error.message : String(error);
    return { value: undefined, errors: [`${name}: invalid YAML: ${reason}`], lineOf: () => undefined };
  }
  return { value, errors: [], lineOf: locator(document, counter) };
}
