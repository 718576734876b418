import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fixture as dataFixture } from "@oddity/fixtures";
import { afterAll } from "vitest";

/** The built CLI: e2e tests run what users run. */
export const BIN = path.resolve(import.meta.dirname, "../dist/bin.js");
/** The real logs of @oddity/fixtures (tooling/fixtures), by data set and file name. */
export { dataFixture };
export const CODEUP = dataFixture("codeup-api-access/access.log");
export const LESSON_SYNTHETIC = dataFixture("codeup-api-access/lesson-synthetic.log");
export const EXAMPLES = path.resolve(import.meta.dirname, "../../../examples");

export function fixture(...parts: string[]): string {
  return path.resolve(import.meta.dirname, "fixtures", ...parts);
}

const created: string[] = [];

// Registered by every test file that imports the helpers: its temp folders go when it ends.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "oddity-e2e-"));
  created.push(dir);
  return dir;
}

/** What a finished run printed and returned. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bin.js ...args` to completion, with stdin from `input` (closed when absent). */
export function oddity(
  args: readonly string[],
  { cwd, input, env }: { cwd?: string; input?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: run "pnpm build" in apps/cli before the e2e tests`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: cwd ?? tempDir(),
      env: { ...process.env, NO_COLOR: "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/**
 * Resolves with the first name in `dir` that `accept` takes, as soon as it appears (the folder is watched,
 * not polled on a timer); rejects if `child` exits first, so a run that fails early is reported at once.
 */
export function waitForEntry({
  dir,
  accept,
  child,
}: {
  dir: string;
  accept: (name: string) => boolean;
  child: ChildProcess;
}): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const watcher = watch(dir);
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      watcher.close();
      child.off("exit", onExit);
      finish();
    };
    const check = () => {
      const found = readdirSync(dir).find(accept);
      if (found !== undefined) settle(() => resolve(found));
    };
    const onExit = (code: number | null, signal: string | null) =>
      settle(() => reject(new Error(`the child exited (${code ?? signal}) before ${dir} held the entry`)));
    watcher.on("change", check).on("error", (error) => settle(() => reject(error)));
    child.on("exit", onExit);
    // Watching starts now: an entry made before it is found by this first look.
    check();
  });
}

/** Parses NDJSON output into objects. */
export function ndjson(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}
