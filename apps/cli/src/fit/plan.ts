/** A file to fit on, with what the planner needs to know about it. */
export interface PlanFile {
  path: string;
  size: number;
  /** Plain files can be cut into byte ranges; gzip and other streams must be read whole. */
  splittable: boolean;
}

/** Part of a file: all of it, or the bytes `[start, end)`. */
export interface Piece {
  path: string;
  start?: number;
  end?: number;
}

/** Below this, cutting a file costs more (a worker start) than it saves. */
export const MIN_PIECE_BYTES = 256 * 1024;

/**
 * Splits the work of fitting `files` among `jobs` workers: large plain files are cut into byte ranges
 * (aligned to lines later), then pieces are grouped in input order so each worker gets about the same
 * number of bytes. Keeping input order keeps the merge order, and so the model, deterministic.
 */
export function planShards({
  files,
  jobs,
  minPieceBytes = MIN_PIECE_BYTES,
}: {
  files: readonly PlanFile[];
  jobs: number;
  minPieceBytes?: number;
}): Piece[][] {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const pieces: Array<Piece & { size: number }> = [];
  for (const file of files) {
    const wanted = total === 0 ? 1 : Math.round((jobs * file.size) / total);
    const n = file.splittable ? Math.max(1, Math.min(wanted, Math.floor(file.size / minPieceBytes))) : 1;
    if (n === 1) {
      pieces.push({ path: file.path, size: file.size });
      continue;
    }
    for (let i = 0; i < n; i++) {
      const start = Math.floor((file.size * i) / n);
      const end = Math.floor((file.size * (i + 1)) / n);
      pieces.push({ path: file.path, start, end, size: end - start });
    }
  }
  const target = total / jobs;
  const groups: Piece[][] = Array.from({ length: jobs }, () => []);
  let before = 0;
  pieces.forEach(({ size, ...piece }, i) => {
    // Place each piece by its midpoint; with no bytes at all, spread pieces by count instead.
    const g =
      target === 0 ? Math.floor((i * jobs) / pieces.length) : Math.floor((before + size / 2) / target);
    groups[Math.min(jobs - 1, g)]!.push(piece);
    before += size;
  });
  return groups.filter((group) => group.length > 0);
}
