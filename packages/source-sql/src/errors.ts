import { InputError } from "@oddity/core";
import { NoPasswordError, PASSWORD_ENV, type Credentials } from "./credentials.js";
import type { DatabaseTarget } from "./url.js";

/** What an error message may say about the connection: never the password itself. */
export interface ErrorContext {
  /** The masked source (URL plus table or query) the message starts with. */
  source: string;
  target: DatabaseTarget;
  credentials: Credentials | null;
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message: string;
}

function isDriverError(error: unknown): error is Error & DriverError {
  return (
    error instanceof Error &&
    (typeof (error as DriverError).code === "string" ||
      error instanceof NoPasswordError ||
      // pg reports lost and timed-out connections without a code.
      error.message.startsWith("Connection terminated"))
  );
}

// Passwords are never put in messages on purpose, but a driver or server might echo one back.
function scrub(text: string, credentials: Credentials | null): string {
  const password = credentials?.password;
  return password && password.length >= 3 ? text.replaceAll(password, "***") : text;
}

function passwordHint(target: DatabaseTarget): string {
  const standard = target.dialect === "mysql" ? "MYSQL_PWD or ~/.my.cnf [client]" : "PGPASSWORD or ~/.pgpass";
  return `put it in ${PASSWORD_ENV} (or the URL, ${standard})`;
}

function describe(error: Error & DriverError, { target, credentials }: ErrorContext): string {
  const code = typeof error.code === "string" ? error.code : "";
  const where = `${target.host}:${target.port}`;
  const user = JSON.stringify(credentials?.user ?? target.user ?? "");
  const database = JSON.stringify(target.database ?? "");
  if (error instanceof NoPasswordError) {
    return `the server asks user ${user} for a password and none was given: ${passwordHint(target)}`;
  }
  switch (code) {
    case "ECONNREFUSED":
      return `cannot connect: connection refused at ${where} (is the server running and listening there?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot connect: unknown host ${JSON.stringify(target.host)}`;
    case "ETIMEDOUT":
      return `cannot connect: no answer from ${where} in time`;
    case "ECONNRESET":
    case "EPIPE":
    case "PROTOCOL_CONNECTION_LOST":
      return `the server closed the connection (${error.message})`;
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR":
    case "28P01":
    case "28000": {
      const origin =
        credentials?.password === null
          ? `no password was given: ${passwordHint(target)}`
          : `password from ${credentials?.origin ?? "?"}`;
      return `access denied for user ${user} (${origin})`;
    }
    case "ER_DBACCESS_DENIED_ERROR":
      return `user ${user} may not use database ${database}`;
    case "ER_BAD_DB_ERROR":
    case "3D000":
      return `database ${database} does not exist`;
    case "ER_PARSE_ERROR":
    case "42601":
      return `the query is not valid SQL: ${error.message}`;
    default:
      return code === "" ? error.message : `${error.message} (${code})`;
  }
}

/**
 * The error a driver threw, as an `InputError` (exit 2) naming the masked source; errors that did not
 * come from the driver or the server (bugs) pass through unchanged.
 */
export function toInputError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof InputError || !isDriverError(error)) return error;
  return new InputError(scrub(`${context.source}: ${describe(error, context)}`, context.credentials));
}
