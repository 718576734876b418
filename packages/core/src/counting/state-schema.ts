import { z } from "zod";
import { ModelError } from "../errors.js";

export const COUNT_ERROR = "expected a count: a whole number from 0 to 2^53 − 1";
export const POSITIVE_COUNT_ERROR = "expected a count of at least 1";

/** A count read from a saved model: a whole, non-negative, exactly representable number. */
export const countSchema = z
  .number({ error: COUNT_ERROR })
  .int({ error: COUNT_ERROR })
  .min(0, { error: COUNT_ERROR })
  .max(Number.MAX_SAFE_INTEGER, { error: COUNT_ERROR });

/** {@link countSchema}'s rule as a plain check, for loops over tens of thousands of saved counts. */
export function isCount(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER
  );
}

/** A count of at least one, for values that were seen. */
export const positiveCountSchema = countSchema.min(1, { error: POSITIVE_COUNT_ERROR });

function formatPath(where: string, path: readonly PropertyKey[]): string {
  let out = where;
  for (const key of path) out += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
  return out;
}

/**
 * Validates detector state read from a saved model. Throws a {@link ModelError} naming the key path of
 * the first problems (`fields[2].counter.values[5][1]: expected a count ...`), so a crafted or corrupted
 * model never loads half-way.
 */
export function parseState<Schema extends z.ZodType>(
  schema: Schema,
  json: unknown,
  where = "state",
): z.output<Schema> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${formatPath(where, issue.path)}: ${issue.message}`);
  throw new ModelError(problems.join("; "));
}

/** Throws a {@link ModelError} for a state that parses but does not add up (`where: problem`). */
export function invalidState(where: string, problem: string): never {
  throw new ModelError(`${where}: ${problem}`);
}
