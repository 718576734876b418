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
 * Splits the work of fitting `files` among `jobs` workers. The inputs are laid end to end and each job
 * gets an equal stretch of their bytes; large plain files are cut where stretches meet (cuts are
 * aligned to lines later), gzip files go whole. Pieces stay in input
 * order, which keeps the merge order, and so the model, deterministic.
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
  // bounds[g] is where job g's stretch starts in the inputs laid end to end.
  const bounds = Array.from({ length: jobs + 1 }, (_, g) => Math.round((total * g) / jobs));
  const pieces: Array<Piece & { size: number }> = [];
  let at = 0;
  for (const file of files) {
    const cuts = [0];
    if (file.splittable) {
      for (const bound of bounds) {
        const cut = bound - at;
        // A piece below the minimum costs more (a worker start, a line search) than it saves.
        if (cut - cuts.at(-1)! >= minPieceBytes && file.size - cut >= minPieceBytes) cuts.push(cut);
      }
    }
    cuts.push(file.size);
    if (cuts.length === 2) pieces.push({ path: file.path, size: file.size });
    else
      for (let i = 0; i + 1 < cuts.length; i++)
        pieces.push({ path: file.path, start: cuts[i]!, end: cuts[i + 1]!, size: cuts[i + 1]! - cuts[i]! });
    at += file.size;
  }
  const groups: Piece[][] = Array.from({ length: jobs }, () => []);
  let before = 0;
  pieces.forEach(({ size, ...piece }, i) => {
    // Place each piece by its midpoint; with no bytes at all, spread pieces by count instead.
    const middle = before + size / 2;
    let g = 0;
    if (total === 0) g = Math.floor((i * jobs) / pieces.length);
    else while (g + 1 < jobs && bounds[g + 1]! <= middle) g++;
    groups[g]!.push(piece);
    before += size;
  });
  return groups.filter((group) => group.length > 0);
}
