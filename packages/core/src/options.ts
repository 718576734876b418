import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { AnyDetectorDefinition } from "./detector.js";
import { ConfigError } from "./errors.js";
import { nearest } from "./suggest.js";

function describeReceived(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return typeof value;
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return typeof value;
  }
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  if (!issue.path || issue.path.length === 0) return "";
  return issue.path
    .map((segment) => {
      const key = typeof segment === "object" ? segment.key : segment;
      return typeof key === "number" ? `[${key}]` : `.${String(key)}`;
    })
    .join("");
}

function valueAt(input: unknown, issue: StandardSchemaV1.Issue): unknown {
  let current: unknown = input;
  for (const segment of issue.path ?? []) {
    const key = typeof segment === "object" ? segment.key : segment;
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

// zod objects expose their keys; other Standard Schema libraries simply get no suggestion.
function knownKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: unknown }).shape;
  return typeof shape === "object" && shape !== null ? Object.keys(shape) : [];
}

function describeIssue(issue: StandardSchemaV1.Issue, raw: unknown, keys: string[]): string {
  const unknownKeys = (issue as { code?: unknown; keys?: unknown }).keys;
  if (Array.isArray(unknownKeys) && unknownKeys.length > 0) {
    return unknownKeys
      .map((key) => {
        const guess = nearest(String(key), keys);
        return `.${String(key)}: unknown option${guess ? `; did you mean "${guess}"?` : keys.length > 0 ? ` (known: ${keys.join(", ")})` : ""}`;
      })
      .join("; ");
  }
  const expected = issue.message.replace(/^Invalid input: /, "").replace(/, received \S+$/, "");
  return `${pathOf(issue)}: ${expected}, received ${describeReceived(valueAt(raw, issue))}`;
}

/**
 * Validates raw options against a detector's schema and applies its defaults. Every issue names the key
 * path under `where`, what was expected and what was received, so all detectors report bad options alike:
 * `detectors[1].options.threshold: expected a number between 0 and 1, received "high"`.
 */
export function validateOptions(definition: AnyDetectorDefinition, raw: unknown, where: string): unknown {
  const result = definition.meta.options["~standard"].validate(raw ?? {});
  if (result instanceof Promise) {
    throw new ConfigError(`${where}: detector "${definition.meta.name}" has an asynchronous options schema`);
  }
  if (result.issues) {
    const keys = knownKeys(definition.meta.options);
    const issues = result.issues.map((issue) => `${where}${describeIssue(issue, raw ?? {}, keys)}`);
    throw new ConfigError(`invalid options for detector "${definition.meta.name}"`, issues);
  }
  return result.value;
}
