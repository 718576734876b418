/**
 * `post`, called at most once per `everyMs`; calls in between are dropped. Workers report progress
 * through it: every message wakes the main thread, and when all cores are counting, each wake-up is
 * time taken from a worker. The final totals travel with the result, so nothing is lost.
 */
export function throttle<T>({
  post,
  everyMs = 100,
  now = () => performance.now(),
}: {
  post: (value: T) => void;
  everyMs?: number;
  now?: () => number;
}): (value: T) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (value) => {
    const time = now();
    if (time - last < everyMs) return;
    last = time;
    post(value);
  };
}
