import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { AnyDetectorDefinition } from "./detector.js";
import { ConfigError } from "./errors.js";

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
    const issues = result.issues.map(
      (issue) =>
        `${where}${pathOf(issue)}: ${issue.message.replace(/^Invalid input: /, "")}, received ${describeReceived(valueAt(raw ?? {}, issue))}`,
    );
    throw new ConfigError(`invalid options for detector "${definition.meta.name}"`, issues);
  }
  return result.value;
}
