import { ownString } from "../own-string.js";
import { newTape, onReplayStop, passCursor, REPLAYING } from "./code-replay.js";

// Set while `valueCodes` builds a field's shared table: the one kind of table a replay may tape.
let creatingShared = false;

/** Most values one field's {@link ValueCodes} numbers; later new values get no code (-1). */
export const DEFAULT_CODE_LIMIT = 1 << 18;

/**
 * Small integer codes for the distinct values of one field: 0, 1, 2 ... in order of first sight. Counters
 * of a field count by code in typed arrays, so a record's value is looked up in one map (here) however
 * many counters count it, instead of once per counter. Codes are private to this thread and process:
 * they never reach a saved model.
 *
 * Numbering stops at `limit` values so memory stays bounded on endless streams; a value past it gets -1
 * and its counters fall back to counting it by its text.
 */
export class ValueCodes {
  readonly limit: number;
  private readonly byValue = new Map<string, number>();
  private readonly values: string[] = [];
  // Every detector of a record asks for the same field value in turn: the last answer is kept, which
  // costs a pointer comparison where the map costs hashing the value again.
  private lastValue: string | null = null;
  private lastCode = -1;

  constructor(limit = DEFAULT_CODE_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0 || limit > 1 << 30) {
      throw new RangeError(`limit must be a whole number from 0 to 2^30, got ${limit}`);
    }
    this.limit = limit;
  }

  // The codes this field gave the records of a recorded pass, plus one, by record (0: none; see
  // `recordCodes`); and the record the tape was last read or written for: only a record's first lookup
  // goes to the tape.
  private tape: Int32Array<ArrayBuffer> | null = null;
  // Only the shared table of a field (`valueCodes`) is replayed: it is asked for one value per record, a
  // table of a detector's own may be asked for several, in any order.
  private readonly replayable = creatingShared;
  private tapeEpoch = -1;
  private tapeOrdinal = 0;

  /** The code of `value`, numbering it if it is new; -1 when it is new and the limit is reached. */
  code(value: string): number {
    const cursor = passCursor;
    if (cursor.usable && this.replayable && this.tapeOrdinal !== cursor.ordinal) return this.taped(value);
    return this.lookUp(value);
  }

  /**
   * The value a replayed pass's tape gives the current record, without being asked for it (a derived
   * field read from the tape instead of derived again); null when the tape has none. Counts as the
   * record's first lookup.
   */
  replayed(): string | null {
    const cursor = passCursor;
    if (cursor.mode !== REPLAYING || !cursor.usable || !this.replayable) return null;
    if (this.tapeOrdinal === cursor.ordinal) return null;
    if (this.tapeEpoch !== cursor.epoch) return null;
    const code = this.tape![cursor.index]! - 1;
    if (code < 0) return null;
    this.tapeOrdinal = cursor.ordinal;
    const value = this.values[code]!;
    this.lastValue = value;
    this.lastCode = code;
    return value;
  }

  // A replayed record's code comes from the tape, untouched by hashing: a lookup in a large map waits on
  // memory for its bucket and its key, and that wait is most of what a second pass costs.
  private taped(value: string): number {
    const cursor = passCursor;
    this.tapeOrdinal = cursor.ordinal;
    if (this.tapeEpoch !== cursor.epoch) {
      if (cursor.mode === REPLAYING) return this.lookUp(value);
      this.tapeEpoch = cursor.epoch;
      this.tape = newTape();
      onReplayStop(() => {
        this.tape = null;
        this.tapeEpoch = -1;
      });
    }
    const tape = this.tape!;
    if (cursor.mode === REPLAYING) {
      const code = tape[cursor.index]! - 1;
      if (code < 0) return this.lookUp(value);
      this.lastValue = value;
      this.lastCode = code;
      return code;
    }
    const code = this.lookUp(value);
    tape[cursor.index] = code + 1;
    return code;
  }

  private lookUp(value: string): number {
    if (value === this.lastValue) return this.lastCode;
    let code = this.byValue.get(value);
    if (code === undefined) {
      if (this.values.length >= this.limit) {
        code = -1;
      } else {
        // A copy, so a code never keeps the whole log line its value was cut from alive.
        const own = ownString(value);
        code = this.values.length;
        this.byValue.set(own, code);
        this.values.push(own);
      }
    }
    this.lastValue = value;
    this.lastCode = code;
    return code;
  }

  /** The value numbered `code` (a code this object handed out). */
  value(code: number): string {
    const value = this.values[code];
    if (value === undefined) throw new RangeError(`no value has code ${code}`);
    return value;
  }

  /** How many values are numbered. */
  get size(): number {
    return this.values.length;
  }
}

const registry = new Map<string, ValueCodes>();

/**
 * The codes of `field` in this thread, shared by every counter of that field: rarity's count of `ip` and
 * conditional's then find a record's ip with one lookup. Each worker thread has its own. While a detector
 * observes or scores a record, it must ask them for that record's value of `field` only: a replayed pass
 * (see `recordCodes`) answers a record's first question from the tape. A `new ValueCodes()` of a
 * detector's own is never replayed.
 */
export function valueCodes(field: string): ValueCodes {
  let codes = registry.get(field);
  if (codes === undefined) {
    creatingShared = true;
    try {
      codes = new ValueCodes();
    } finally {
      creatingShared = false;
    }
    registry.set(field, codes);
  }
  return codes;
}
