// Runs one command in a child process and measures it: wall time from spawn to exit, CPU time and peak
// RSS of the child (GNU time when present, else /proc polling and no CPU time), and a hash of what it
// printed, so runs with different --jobs can be checked for byte-identical output.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = existsSync(GNU_TIME);

function procRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `command args` and resolves to { seconds, cpuSeconds (user + system, or null), maxRss (bytes or
 * null), stdoutHash, stdoutBytes, code, stderr, samples }. With `sampleEveryMs`, the child's RSS is also sampled over time (Linux), to show
 * whether a streaming command's memory stays flat.
 */
export function measure({ command, args, cwd, env, sampleEveryMs = 0 }) {
  const timeFile = path.join(tmpdir(), `oddity-bench-${process.pid}-${Math.random().toString(36).slice(2)}`);
  // With sampling the node process itself must be the child, so that /proc/<pid> is the one measured.
  const wrapped = hasGnuTime && sampleEveryMs === 0;
  const file = wrapped ? GNU_TIME : command;
  const argv = wrapped ? ["-f", "%M %U %S", "-o", timeFile, command, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const hash = createHash("sha256");
    let stdoutBytes = 0;
    // The first KiB of output is kept for small reports (calibration); the rest is only hashed.
    let head = "";
    let stderr = "";
    const samples = [];
    let peak = 0;
    child.stdout.on("data", (chunk) => {
      hash.update(chunk);
      stdoutBytes += chunk.length;
      if (head.length < 1024) head += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 20000) stderr += chunk;
    });
    const timer =
      sampleEveryMs > 0 || !hasGnuTime
        ? setInterval(() => {
            const rss = procRss(child.pid);
            if (rss === null) return;
            peak = Math.max(peak, rss);
            if (sampleEveryMs > 0) samples.push({ ms: Math.round(performance.now() - started), rss });
          }, sampleEveryMs || 100)
        : null;
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (timer !== null) clearInterval(timer);
      let maxRss = peak > 0 ? peak : null;
      let cpuSeconds = null;
      if (wrapped) {
        try {
          const [kb, user, system] = readFileSync(timeFile, "utf8")
            .trim()
            .split("\n")
            .pop()
            .split(" ")
            .map(Number);
          if (Number.isFinite(kb) && kb > 0) maxRss = kb * 1024;
          if (Number.isFinite(user) && Number.isFinite(system)) cpuSeconds = user + system;
        } catch {
          // GNU time writes nothing when the child could not start; the exit code says so.
        }
        rmSync(timeFile, { force: true });
      }
      resolve({
        stdout: head,
        seconds,
        cpuSeconds,
        maxRss,
        stdoutHash: hash.digest("hex"),
        stdoutBytes,
        code,
        stderr,
        samples,
      });
    });
  });
}
