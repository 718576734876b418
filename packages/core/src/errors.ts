/**
 * Errors the user can fix (arguments, config, input, models). The CLI prints their message without a
 * stack and exits with `exitCode`; anything else is a bug and is printed with its stack.
 */
export class UserError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A config file or detector options that do not validate; `issues` lists every problem found. */
export class ConfigError extends UserError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[] = [], options?: { cause?: unknown }) {
    super(issues.length > 0 ? `${message}\n${issues.map((i) => `  - ${i}`).join("\n")}` : message, options);
    this.issues = issues;
  }
}

/** Input that cannot be read, or a rejected line under `--strict`; names the source and line. */
export class InputError extends UserError {}

/** A saved model that is truncated, corrupted, of another version or crafted. */
export class ModelError extends UserError {}

/** A detector that threw; names the detector and the record's `source:line`. */
export class DetectorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DetectorError";
  }
}

/** True for errors the user can fix, whatever realm or bundle copy created them. */
export function isUserError(error: unknown): error is UserError {
  return (
    error instanceof UserError ||
    (error instanceof Error && typeof (error as { exitCode?: unknown }).exitCode === "number")
  );
}
