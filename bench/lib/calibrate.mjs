// How much parallelism the machine gives right now: the same fixed CPU work in 1 and in N worker
// threads. On a shared or throttled machine this is well below N, and --jobs speedups are bounded by it.
//   node bench/lib/calibrate.mjs N   → {"threads":N,"speedup":1.93}
import { Worker, isMainThread, workerData } from "node:worker_threads";

function work(rounds) {
  let x = 0;
  for (let i = 0; i < rounds; i++) x = (x + i * 7) % 1000003;
  return x;
}

async function wall(threads, rounds) {
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) =>
          new Worker(new URL(import.meta.url), { workerData: rounds })
            .on("exit", resolve)
            .on("error", reject),
        ),
    ),
  );
  return performance.now() - started;
}

if (isMainThread) {
  const threads = Number(process.argv[2] ?? 2);
  const rounds = 2e8;
  const one = Math.min(await wall(1, rounds), await wall(1, rounds));
  const many = Math.min(await wall(threads, rounds), await wall(threads, rounds));
  // N threads doing N times the work of one: perfect parallelism gives N.
  process.stdout.write(
    `${JSON.stringify({ threads, speedup: Number(((threads * one) / many).toFixed(2)) })}\n`,
  );
} else {
  work(workerData);
}
