import { ownString } from "../own-string.js";

/** Most values one field's {@link ValueCodes} numbers; later new values get no code (-1). */
export const DEFAULT_CODE_LIMIT = 1 << 18;

/**
 * Small integer codes for the distinct values of one field: 0, 1, 2 ... in order of first sight. Counters
 * of a field count by code in typed arrays, so a record's value is looked up in one map (here) however
 * many counters count it, instead of once per counter. A pipeline keeps one per field (see `FieldCache`;
 * a detector gets them from its context's `codes`), private to it: codes never reach a saved model.
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

  /** The code of `value`, numbering it if it is new; -1 when it is new and the limit is reached. */
  code(value: string): number {
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
