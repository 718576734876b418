import { z, type AnyDetectorDefinition } from "@oddity/core";

/** One option of a detector, as `oddity detectors` lists it. */
export interface OptionDoc {
  name: string;
  /** A short type, e.g. `number`, `"iqr" | "mad"`, `string | string[] | null`. */
  type: string;
  /** The default (undefined when the option has none). */
  default: unknown;
  description: string;
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
}

function typeOf(schema: JsonSchema | undefined): string {
  if (schema === undefined) return "unknown";
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return [...new Set(union.map(typeOf))].join(" | ");
  if (schema.type === "array") return `${typeOf(schema.items)}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  return schema.type ?? "unknown";
}

// zod 4 describes itself as JSON Schema (types, defaults, descriptions); other Standard Schema
// libraries only reveal their defaults, by validating an empty object.
function jsonSchemaOf(definition: AnyDetectorDefinition): JsonSchema | null {
  const schema = definition.meta.options as unknown as { "~standard"?: { vendor?: string } };
  if (schema["~standard"]?.vendor !== "zod") return null;
  try {
    return z.toJSONSchema(schema as z.ZodType, {
      io: "input",
      unrepresentable: "any",
    }) as unknown as JsonSchema;
  } catch {
    return null;
  }
}

/** The defaults a detector applies to `{}`, or an empty object when `{}` is not valid on its own. */
export function defaultOptions(definition: AnyDetectorDefinition): Record<string, unknown> {
  const result = definition.meta.options["~standard"].validate({});
  if (result instanceof Promise || result.issues) return {};
  const value: unknown = result.value;
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** A detector's options with their types, defaults and descriptions. */
export function describeOptions(definition: AnyDetectorDefinition): OptionDoc[] {
  const json = jsonSchemaOf(definition);
  const defaults = defaultOptions(definition);
  const names = [...new Set([...Object.keys(json?.properties ?? {}), ...Object.keys(defaults)])];
  return names.map((name) => {
    const property = json?.properties?.[name];
    return {
      name,
      type:
        property === undefined ? (name in defaults ? typeof defaults[name] : "unknown") : typeOf(property),
      default: property?.default ?? defaults[name],
      description: property?.description ?? "",
    };
  });
}
