import type { FormatSpec, LineParser } from "../input/types.js";
import { createFieldMapper } from "./field-map.js";

// Nested objects (Elastic Common Schema) are read as dotted keys; deeper ones are kept as JSON text.
const MAX_DEPTH = 6;

function flatten(
  object: Record<string, unknown>,
  prefix: string,
  depth: number,
  keys: string[],
  values: unknown[],
): void {
  for (const key of Object.keys(object)) {
    const value = object[key];
    const name = depth === 0 ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < MAX_DEPTH) {
      flatten(value as Record<string, unknown>, name, depth + 1, keys, values);
    } else if (
      Array.isArray(value) &&
      typeof value[0] === "string" &&
      (prefix.endsWith("headers") || prefix.endsWith("_headers"))
    ) {
      // Caddy logs each header as an array of its values (request.headers.User-Agent: ["curl/8"]): the
      // first is the one a server acts on. Other arrays stay JSON text.
      keys.push(name);
      values.push(value[0]);
    } else {
      keys.push(name);
      values.push(value);
    }
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** JSON Lines: one object per line; keys mapped by `spec.fields` or recognised by their common names. */
export function createJsonlParser(spec: FormatSpec): LineParser {
  const mapper = createFieldMapper(spec.fields);
  return {
    description: spec.fields === undefined ? "jsonl" : "jsonl (mapped fields)",
    parse(line, source, lineNumber) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        // The engine's message quotes the input; only its position is safe to repeat.
        const position = /position (\d+)/.exec(error instanceof Error ? error.message : "");
        return position === null
          ? "expected a JSON object; the line is not valid JSON"
          : `expected a JSON object; the line is not valid JSON at column ${Number(position[1]) + 1}`;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return `expected a JSON object, found ${kindOf(value)}`;
      }
      const keys: string[] = [];
      const values: unknown[] = [];
      flatten(value as Record<string, unknown>, "", 0, keys, values);
      return mapper.build({ keys, values, source, line: lineNumber, raw: line });
    },
  };
}
