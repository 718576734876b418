import type { ValueCodes } from "@oddity/core";
import { NAMED_STATUSES } from "./statuses.js";

const SLOTS = NAMED_STATUSES.length;

/** `array`, or a copy at least twice as long when `index` is past its end (the new slots 0). */
export function withRoom<A extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(
  array: A,
  index: number,
): A {
  if (index < array.length) return array;
  const grown = new (array.constructor as new (length: number) => A)(Math.max(index + 1, array.length * 2));
  grown.set(array);
  return grown;
}

/**
 * Counts tallied by value code (the pipeline's: the detector context's `codes`) and not yet added to the
 * samples: a typed-array slot costs far less than a map lookup of a new string per record, and the code
 * of a record's ip and path template is usually already known (other detectors asked for it first). A
 * sample's final content does not depend on the order of its additions, so the tallies are added later,
 * each client and path once ({@link PendingCounts.drain}).
 */
export class PendingCounts {
  readonly clientCodes: ValueCodes;
  readonly pathCodes: ValueCodes;
  private requests = new Float64Array(64);
  private errors = new Float64Array(64);
  // SLOTS counts per client code, of its errors with each named status.
  private byStatus = new Float64Array(64 * SLOTS);
  private readonly clients: number[] = [];
  private pathRequests = new Float64Array(64);
  private pathErrors = new Float64Array(64);
  // Client code + 1 of the two smallest client keys that asked each path (0: none yet).
  private first = new Int32Array(64);
  private second = new Int32Array(64);
  private readonly paths: number[] = [];

  constructor(clientCodes: ValueCodes, pathCodes: ValueCodes) {
    this.clientCodes = clientCodes;
    this.pathCodes = pathCodes;
  }

  /** One request of client `code`; `slot` is its error status's index in NAMED_STATUSES, or -1. */
  addClient(code: number, error: boolean, slot: number): void {
    this.requests = withRoom(this.requests, code);
    if (this.requests[code] === 0) {
      this.clients.push(code);
      this.errors = withRoom(this.errors, code);
      this.byStatus = withRoom(this.byStatus, code * SLOTS + SLOTS - 1);
    }
    this.requests[code]!++;
    if (error) {
      this.errors[code]!++;
      if (slot >= 0) this.byStatus[code * SLOTS + slot]!++;
    }
  }

  addPath(code: number, client: number, error: boolean): void {
    this.pathRequests = withRoom(this.pathRequests, code);
    const asker = client + 1;
    if (this.pathRequests[code] === 0) {
      this.paths.push(code);
      this.pathErrors = withRoom(this.pathErrors, code);
      this.first = withRoom(this.first, code);
      this.second = withRoom(this.second, code);
      this.first[code] = asker;
    }
    this.pathRequests[code]!++;
    if (error) this.pathErrors[code]!++;
    const first = this.first[code]!;
    const second = this.second[code]!;
    if (asker === first || asker === second) return;
    const key = this.clientCodes.value(client);
    if (key < this.clientCodes.value(first - 1)) {
      this.second[code] = first;
      this.first[code] = asker;
    } else if (second === 0 || key < this.clientCodes.value(second - 1)) {
      this.second[code] = asker;
    }
  }

  /** Hands every tally to the callbacks, each client and path once, and empties. */
  drain({
    client,
    path,
  }: {
    /** `byStatus[offset ..< offset + NAMED_STATUSES.length]` are the client's error counts by status. */
    client: (key: string, requests: number, errors: number, byStatus: Float64Array, offset: number) => void;
    path: (path: string, requests: number, errors: number, first: string, second: string | null) => void;
  }): void {
    for (const code of this.clients) {
      client(
        this.clientCodes.value(code),
        this.requests[code]!,
        this.errors[code]!,
        this.byStatus,
        code * SLOTS,
      );
      this.requests[code] = 0;
      this.errors[code] = 0;
      this.byStatus.fill(0, code * SLOTS, code * SLOTS + SLOTS);
    }
    this.clients.length = 0;
    for (const code of this.paths) {
      const second = this.second[code]!;
      path(
        this.pathCodes.value(code),
        this.pathRequests[code]!,
        this.pathErrors[code]!,
        this.clientCodes.value(this.first[code]! - 1),
        second === 0 ? null : this.clientCodes.value(second - 1),
      );
      this.pathRequests[code] = 0;
      this.pathErrors[code] = 0;
      this.first[code] = 0;
      this.second[code] = 0;
    }
    this.paths.length = 0;
  }
}
