import { stat } from "node:fs/promises";
import { expandInputs, recordCodes, REPLAY_RECORDS, type CodeReplay } from "@oddity/core";
import { envWholeNumber } from "../env-number.js";
import { canSplit } from "../parallel/pass.js";
import { builtinPackage } from "../plugins/builtins.js";

/**
 * How long after its last write a file counts as settled. A file written this recently may still be
 * written to while it is read, and the same timestamp can then stand for two contents (git's "racy"
 * index entries); such inputs are read twice without a replay.
 */
export const SETTLED_MS = 2000;

/**
 * True when the pipeline has bundled detectors only. They ask each field's shared value codes for the
 * record's value of that field alone, which a replay relies on; a plugin is not held to it, so a pipeline
 * with one reads both passes in full.
 */
export function replaySafe(detectors: ReadonlyArray<{ use: string }>): boolean {
  return detectors.every((detector) => builtinPackage(detector.use) !== null);
}

/**
 * What identifies the inputs' contents without reading them: device, inode, size and change times of
 * every file. Null when an input is not a plain file (stdin, a database) or was written in the last
 * {@link SETTLED_MS}: then nothing promises that a second reading gives the same lines.
 */
export async function inputsFingerprint({
  inputs,
  now = Date.now(),
}: {
  inputs: readonly string[];
  now?: number;
}): Promise<string | null> {
  if (!canSplit(inputs)) return null;
  try {
    const parts: string[] = [];
    for (const path of await expandInputs(inputs)) {
      const s = await stat(path, { bigint: true });
      if (!s.isFile()) return null;
      const written = Number(s.mtimeMs > s.ctimeMs ? s.mtimeMs : s.ctimeMs);
      if (written > now - SETTLED_MS) return null;
      parts.push(`${path}\0${s.dev}\0${s.ino}\0${s.size}\0${s.mtimeNs}\0${s.ctimeNs}`);
    }
    return parts.join("\n");
  } catch {
    // An input that cannot be read fails the pass itself, with the reader's message.
    return null;
  }
}

/** How many records a replay covers: `ODDITY_REPLAY_RECORDS` (a whole number; 0 turns replay off), else the default. */
export function replayRecords(env: Record<string, string | undefined>): number {
  return envWholeNumber({ env, name: "ODDITY_REPLAY_RECORDS", fallback: REPLAY_RECORDS });
}

/**
 * Starts recording the first of two passes over `inputs` when they are files that can be trusted to
 * read the same twice; null otherwise. `secondPass` then switches to replaying only if the fingerprint
 * still matches, so a file changed between the passes is simply read and looked up again.
 */
export async function startReplay({
  inputs,
  records,
  now = Date.now,
}: {
  inputs: readonly string[];
  records: number;
  /** The clock that decides whether a file has settled. */
  now?: () => number;
}): Promise<{
  /** For the first pass's fitter and the second pass's scorer. */
  codes: CodeReplay;
  /** Switches to replaying when the inputs are unchanged; true when it did. */
  secondPass(): Promise<boolean>;
  stop(): void;
} | null> {
  if (records === 0) return null;
  const before = await inputsFingerprint({ inputs, now: now() });
  if (before === null) return null;
  const replay: CodeReplay = recordCodes({ records });
  return {
    codes: replay,
    async secondPass() {
      const after = await inputsFingerprint({ inputs, now: now() });
      if (after !== before) {
        replay.stop();
        return false;
      }
      replay.replay();
      return true;
    },
    stop: () => replay.stop(),
  };
}
