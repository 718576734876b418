import type { LogRecord } from "../record.js";

/**
 * How many records a replay covers unless told otherwise: its tapes take 4 bytes per record per coded
 * field and 8 for the record's line number and length, 32 MB for the bundled detectors' 6 fields. Later
 * records are looked up as usual.
 */
export const REPLAY_RECORDS = 1 << 20;

let maxRecords = REPLAY_RECORDS;

const IDLE = 0;
const RECORDING = 1;
export const REPLAYING = 2;

/**
 * Where this thread's replayed pass is. A fitter or scorer bound to the replay moves it for every record
 * and clears it when its detectors are done with the record; value codes read it to decide whether the
 * current record's code may come from (or go to) a tape.
 */
interface PassCursor {
  mode: typeof IDLE | typeof RECORDING | typeof REPLAYING;
  /** Counts every record of every pass, never reset: tells one record from the next. */
  ordinal: number;
  /** 0-based position of the current record in its pass: its place on the tapes. */
  index: number;
  /**
   * True only while a bound fitter or scorer holds a record that may use the tapes (recorded in range,
   * or replayed and verified): between records, and for every other fitter or scorer, it is false.
   */
  usable: boolean;
  /** Bumped by every new replay, so a tape from an earlier one is never read. */
  epoch: number;
}

export const passCursor: PassCursor = { mode: IDLE, ordinal: 0, index: -1, usable: false, epoch: 0 };

// Each record's line number and line length, as recorded: a replayed record whose line or length
// differs is not the same record.
let lines = new Int32Array(0);
let lengths = new Int32Array(0);
let recorded = 0;
const releases = new Set<() => void>();

/** Lets a tape holder drop its tape when the replay stops. */
export function onReplayStop(release: () => void): void {
  releases.add(release);
}

let active: CodeReplay | null = null;

// Before the detectors of a fitter or scorer bound to `replay` see a record.
function enterRecord(replay: CodeReplay, record: LogRecord): void {
  const cursor = passCursor;
  if (replay !== active || cursor.mode === IDLE) return;
  cursor.ordinal++;
  const n = ++cursor.index;
  if (cursor.mode === RECORDING) {
    cursor.usable = n < maxRecords;
    if (!cursor.usable) return;
    lines[n] = record.line;
    lengths[n] = record.raw.length;
    recorded = n + 1;
  } else {
    cursor.usable = n < recorded && lengths[n] === record.raw.length && lines[n] === record.line;
  }
}

// When they are done with it.
function leaveRecord(): void {
  passCursor.usable = false;
}

/**
 * `work` on one record, bound to `replay`: the record is entered before and left after, even when the
 * work throws. Without a replay, `work` itself.
 */
export function boundTo<T>(
  replay: CodeReplay | undefined,
  work: (record: LogRecord) => T,
): (record: LogRecord) => T {
  if (replay === undefined) return work;
  return (record) => {
    enterRecord(replay, record);
    try {
      return work(record);
    } finally {
      leaveRecord();
    }
  };
}

/**
 * A tape for this replay: one slot per record it covers, all 0. Its memory is taken from the system only
 * as records reach it, so a short input costs little of the whole length.
 */
export function newTape(): Int32Array<ArrayBuffer> {
  return new Int32Array(maxRecords);
}

/**
 * A first pass being recorded, to be replayed by a second pass over the very same records. Give it to
 * the fitter of the first pass and the scorer of the second (`createFitter`, `fitBatches`,
 * `createScorer`): no other fitter or scorer touches the tapes.
 */
export interface CodeReplay {
  /**
   * Ends the recording; the next records observed or scored are replayed. Call it only when the second
   * pass reads the same lines in the same order (unchanged files): a replayed record is checked by its
   * line number and the length of its line only.
   */
  replay(): void;
  /** Stops recording or replaying and frees the tapes; safe to call more than once. */
  stop(): void;
}

/**
 * Records, for the records of the pass that follows, the code each field's {@link ValueCodes} gave and
 * each path's template, so that a second pass over the same lines (`detect` fits, then scores the same
 * file) takes them from the tape instead of hashing every value into a map again. That lookup, not the
 * counting, is most of a pass's cost on a large map. `records` bounds the tapes' memory: later records
 * are looked up as usual. One replay at a time per thread: starting one stops the last.
 */
export function recordCodes({ records = REPLAY_RECORDS }: { records?: number } = {}): CodeReplay {
  if (!Number.isInteger(records) || records < 0) {
    throw new RangeError(`records must be a whole number of records, got ${records}`);
  }
  stopReplay();
  maxRecords = records;
  lines = newTape();
  lengths = newTape();
  passCursor.epoch++;
  passCursor.mode = RECORDING;
  const replay: CodeReplay = {
    replay() {
      if (active !== replay || passCursor.mode !== RECORDING) return;
      passCursor.mode = REPLAYING;
      passCursor.index = -1;
      passCursor.usable = false;
    },
    stop() {
      if (active === replay) stopReplay();
    },
  };
  active = replay;
  return replay;
}

function stopReplay(): void {
  active = null;
  passCursor.mode = IDLE;
  passCursor.index = -1;
  passCursor.usable = false;
  lines = new Int32Array(0);
  lengths = new Int32Array(0);
  recorded = 0;
  for (const release of releases) release();
  releases.clear();
}
