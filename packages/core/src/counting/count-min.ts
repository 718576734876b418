import { z } from "zod";
import { hashA, hashB } from "./hash.js";
import {
  COUNT_ERROR,
  POSITIVE_COUNT_ERROR,
  countSchema,
  invalidState,
  isCount,
  parseState,
} from "./state-schema.js";

/** ⌈e / 0.001⌉, a prime: estimates overcount by at most 0.1% of the sketch's total (see `epsilon`). */
export const DEFAULT_SKETCH_WIDTH = 2719;
/** ⌈ln(1 / 0.01)⌉: the bound holds with probability 1 − e⁻⁵ ≈ 99.3%. */
export const DEFAULT_SKETCH_DEPTH = 5;

const MAX_WIDTH = 1 << 20;
const MAX_DEPTH = 16;

/** Width and depth of a count-min sketch. */
export interface SketchShape {
  width: number;
  depth: number;
}

/** Throws a RangeError unless `shape` is a usable sketch shape. */
export function checkSketchShape({ width, depth }: SketchShape): void {
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new RangeError(`sketch width must be a whole number from 1 to ${MAX_WIDTH}, got ${width}`);
  }
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new RangeError(`sketch depth must be a whole number from 1 to ${MAX_DEPTH}, got ${depth}`);
  }
}

/** The saved form of a {@link CountMinSketch}: each row lists its non-zero cells as `[column, count]`. */
export interface CountMinJSON {
  width: number;
  depth: number;
  total: number;
  rows: Array<Array<[number, number]>>;
}

/**
 * A count-min sketch (Cormode and Muthukrishnan, 2005): approximate counts of any number of distinct
 * values in `width × depth` cells. An estimate is never below the true count, and exceeds it by more
 * than `epsilon × total` with probability at most `1 − confidence`. Sketches of the same shape add up
 * cell by cell, so shards merge exactly.
 */
export class CountMinSketch {
  readonly width: number;
  readonly depth: number;
  private readonly cells: Float64Array;
  /** Sum of all counts added. */
  total = 0;

  constructor({ width = DEFAULT_SKETCH_WIDTH, depth = DEFAULT_SKETCH_DEPTH }: Partial<SketchShape> = {}) {
    checkSketchShape({ width, depth });
    this.width = width;
    this.depth = depth;
    this.cells = new Float64Array(width * depth);
  }

  /** Relative error ε = e / width: estimates exceed true counts by at most ε × total (with `confidence`). */
  get epsilon(): number {
    return Math.E / this.width;
  }

  /** Probability 1 − e^(−depth) that an estimate is within {@link errorBound} of the true count. */
  get confidence(): number {
    return 1 - Math.exp(-this.depth);
  }

  /** ⌈ε × total⌉: how far above the true count an estimate can be, with `confidence`. */
  errorBound(): number {
    return Math.ceil(this.epsilon * this.total);
  }

  // Kirsch–Mitzenmacher: row i uses h1 + i·h2, as independent as separate hashes for count-min bounds.
  // `a` and `b` are hashA and hashB of the key, so a caller that already has them (hashABC) skips a walk.
  private step(b: number): number {
    return this.width === 1 ? 0 : 1 + (b % (this.width - 1));
  }

  private cell(h1: number, h2: number, row: number): number {
    return row * this.width + ((h1 + row * h2) % this.width);
  }

  add(key: string, n = 1): void {
    this.addHashed(hashA(key), hashB(key), n);
  }

  /** {@link add} for a key whose {@link hashA} and {@link hashB} are `a` and `b`. */
  addHashed(a: number, b: number, n = 1): void {
    const h1 = a % this.width;
    const h2 = this.step(b);
    for (let row = 0; row < this.depth; row++) this.cells[this.cell(h1, h2, row)]! += n;
    this.total += n;
  }

  /** An upper estimate of the count of `key`; 0 means it was certainly never added. */
  estimate(key: string): number {
    return this.estimateHashed(hashA(key), hashB(key));
  }

  /** {@link estimate} for a key whose {@link hashA} and {@link hashB} are `a` and `b`. */
  estimateHashed(a: number, b: number): number {
    const h1 = a % this.width;
    const h2 = this.step(b);
    let min = Number.POSITIVE_INFINITY;
    for (let row = 0; row < this.depth; row++) {
      const cell = this.cells[this.cell(h1, h2, row)]!;
      if (cell < min) min = cell;
    }
    return min;
  }

  /** An independent copy. */
  clone(): CountMinSketch {
    const copy = new CountMinSketch(this);
    copy.cells.set(this.cells);
    copy.total = this.total;
    return copy;
  }

  /** A new sketch holding the counts of both; they must have the same shape. */
  static merge(a: CountMinSketch, b: CountMinSketch): CountMinSketch {
    if (a.width !== b.width || a.depth !== b.depth) {
      throw new RangeError(`cannot merge a ${a.width}×${a.depth} sketch with a ${b.width}×${b.depth} one`);
    }
    const merged = a.clone();
    for (let i = 0; i < merged.cells.length; i++) merged.cells[i]! += b.cells[i]!;
    merged.total += b.total;
    return merged;
  }

  toJSON(): CountMinJSON {
    const rows: Array<Array<[number, number]>> = [];
    for (let row = 0; row < this.depth; row++) {
      const cells: Array<[number, number]> = [];
      for (let column = 0; column < this.width; column++) {
        const count = this.cells[row * this.width + column]!;
        if (count !== 0) cells.push([column, count]);
      }
      rows.push(cells);
    }
    return { width: this.width, depth: this.depth, total: this.total, rows };
  }

  /** Reads what {@link toJSON} wrote; throws a `ModelError` naming `where` on anything else. */
  static fromJSON(json: unknown, where = "sketch"): CountMinSketch {
    const data = parseState(sketchSchema, json, where);
    const sketch = new CountMinSketch(data);
    if (data.rows.length !== data.depth)
      invalidState(`${where}.rows`, `expected ${data.depth} rows, found ${data.rows.length}`);
    data.rows.forEach((cells, row) => {
      let sum = 0;
      let previous = -1;
      for (const [column, count] of cellsOf(cells, `${where}.rows[${row}]`)) {
        if (column >= data.width || column <= previous) {
          invalidState(
            `${where}.rows[${row}]`,
            `columns must be increasing and below the width ${data.width}`,
          );
        }
        previous = column;
        sketch.cells[row * data.width + column] = count;
        sum += count;
      }
      // Every add touches one cell per row, so each row must sum to the total; anything else was edited.
      if (sum !== data.total)
        invalidState(`${where}.rows[${row}]`, `cells sum to ${sum}, not the total ${data.total}`);
    });
    sketch.total = data.total;
    return sketch;
  }
}

/** A saved row's `[column, count]` cells; throws a `ModelError` at the first that is not one. */
function cellsOf(cells: readonly unknown[], where: string): Array<[number, number]> {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!Array.isArray(cell) || cell.length !== 2) invalidState(`${where}[${i}]`, "expected [column, count]");
    const [column, count] = cell as unknown[];
    if (!isCount(column)) invalidState(`${where}[${i}][0]`, "expected a column: a whole number from 0");
    if (!isCount(count)) invalidState(`${where}[${i}][1]`, COUNT_ERROR);
    if (count < 1) invalidState(`${where}[${i}][1]`, POSITIVE_COUNT_ERROR);
  }
  return cells as Array<[number, number]>;
}

/** A sketch shape as read from a saved model. */
export const sketchShapeSchema = z.strictObject({
  width: z
    .number()
    .int({ error: `expected a width from 1 to ${MAX_WIDTH}` })
    .min(1, { error: `expected a width from 1 to ${MAX_WIDTH}` })
    .max(MAX_WIDTH, { error: `expected a width from 1 to ${MAX_WIDTH}` }),
  depth: z
    .number()
    .int({ error: `expected a depth from 1 to ${MAX_DEPTH}` })
    .min(1, { error: `expected a depth from 1 to ${MAX_DEPTH}` })
    .max(MAX_DEPTH, { error: `expected a depth from 1 to ${MAX_DEPTH}` }),
});

const sketchSchema = sketchShapeSchema.extend({
  total: countSchema,
  // Cells are checked by `cellsOf`: thousands per sketch, read at every model load and every worker
  // hand-over, cost many times more through a schema.
  rows: z
    .array(z.array(z.unknown()).max(MAX_WIDTH))
    .max(MAX_DEPTH, { error: `expected at most ${MAX_DEPTH} rows` }),
});
