import { addBreakdown, emptyStats, type InputStats, type RecordBatch, type RecordStream } from "@oddity/core";

/** A record stream with its warnings (damaged gzip, sniffing doubts ...). */
export type InputStream = RecordStream;

function add(into: InputStats, from: InputStats): void {
  into.read += from.read;
  into.parsed += from.parsed;
  into.rejected += from.rejected;
  into.blank += from.blank;
  into.bytes += from.bytes;
  addBreakdown(into, from);
}

/**
 * Reads several streams one after the other as one. Each is opened only when reached (so a database
 * connection is not made before the files before it are read); totals and warnings add up.
 */
export function concatStreams({
  openers,
  onProgress,
}: {
  /** Each opener gets a progress callback that reports its own totals; the sum is passed on. */
  openers: ReadonlyArray<(progress: ((stats: InputStats) => void) | undefined) => InputStream>;
  onProgress?: ((stats: InputStats) => void) | undefined;
}): InputStream {
  const done = emptyStats();
  const warnings: string[] = [];
  let current: InputStream | null = null;
  let format: string | null = null;
  return {
    get stats() {
      const stats = { ...done };
      if (current !== null) add(stats, current.stats);
      return stats;
    },
    get format() {
      return format ?? current?.format ?? null;
    },
    get warnings() {
      return current === null ? warnings : [...warnings, ...current.warnings];
    },
    async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
      for (const open of openers) {
        const progress =
          onProgress === undefined
            ? undefined
            : (stats: InputStats) => {
                const total = { ...done };
                add(total, stats);
                onProgress(total);
              };
        current = open(progress);
        try {
          yield* current;
        } finally {
          format ??= current.format;
          add(done, current.stats);
          warnings.push(...current.warnings);
          current = null;
        }
      }
    },
  };
}
