import { open } from "node:fs/promises";
import type { Piece } from "./plan.js";

const CHUNK = 64 * 1024;

/** The offset just after the first `\n` at or after `offset - 1`: the start of the line holding `offset`'s next line. */
export async function nextLineStart(path: string, offset: number): Promise<number> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = Math.max(0, offset - 1);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) return position;
      const index = buffer.subarray(0, bytesRead).indexOf(0x0a);
      if (index !== -1) return position + index + 1;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Moves every cut between byte ranges of a file to the next line start, so no line is split between
 * workers; ranges left empty are dropped.
 */
export async function alignPieces(shards: readonly Piece[][]): Promise<Piece[][]> {
  const aligned = shards.map((shard) => shard.map((piece) => ({ ...piece })));
  const flat = aligned.flat();
  for (let i = 1; i < flat.length; i++) {
    const piece = flat[i]!;
    const previous = flat[i - 1]!;
    if (piece.start === undefined || piece.start === 0 || previous.path !== piece.path) continue;
    const boundary = await nextLineStart(piece.path, piece.start);
    previous.end = boundary;
    piece.start = boundary;
  }
  return aligned
    .map((shard) =>
      shard.filter(
        (piece) => piece.start === undefined || piece.end === undefined || piece.start < piece.end,
      ),
    )
    .filter((shard) => shard.length > 0);
}
