import type { ValueCodes } from "@oddity/core";
import { withRoom } from "@oddity/detector-client";

/**
 * Counts tallied by value code (the pipeline's: the detector context's `codes`) and not yet added to the
 * samples: a typed-array slot and a set of numbers cost far less than map lookups of the record's
 * strings, and the codes of its ip and path template are usually already known (other detectors asked
 * for them first). The samples'
 * final content does not depend on the order of additions, so the tallies are added later, each client
 * and pair once ({@link PendingCounts.drain}).
 */
export class PendingCounts {
  readonly clientCodes: ValueCodes;
  readonly pathCodes: ValueCodes;
  private requests = new Float64Array(64);
  private errors = new Float64Array(64);
  private readonly clients: number[] = [];
  // A pair's number: path code × span + client code. Every client code is below its table's limit, so
  // no two pairs share a number; the shared tables' limits (2^18) keep it far below 2^53.
  private readonly pairs = new Set<number>();
  private readonly span: number;

  constructor(clientCodes: ValueCodes, pathCodes: ValueCodes) {
    if (clientCodes.limit * pathCodes.limit > Number.MAX_SAFE_INTEGER) {
      throw new RangeError("code tables too large to number their pairs exactly");
    }
    this.clientCodes = clientCodes;
    this.pathCodes = pathCodes;
    this.span = clientCodes.limit;
  }

  /** One request of client `code`. */
  addClient(code: number, error: boolean): void {
    this.requests = withRoom(this.requests, code);
    if (this.requests[code] === 0) {
      this.clients.push(code);
      this.errors = withRoom(this.errors, code);
    }
    this.requests[code]!++;
    if (error) this.errors[code]!++;
  }

  /** That client `client` asked path `path` (both codes); returns the pairs pending. */
  addPair(path: number, client: number): number {
    this.pairs.add(path * this.span + client);
    return this.pairs.size;
  }

  /** Hands every tally to the callbacks, each client and pair once, and empties. */
  drain({
    client,
    pair,
  }: {
    client: (key: string, requests: number, errors: number) => void;
    pair: (path: string, client: string) => void;
  }): void {
    for (const code of this.clients) {
      client(this.clientCodes.value(code), this.requests[code]!, this.errors[code]!);
      this.requests[code] = 0;
      this.errors[code] = 0;
    }
    this.clients.length = 0;
    for (const key of this.pairs) {
      const clientCode = key % this.span;
      pair(this.pathCodes.value((key - clientCode) / this.span), this.clientCodes.value(clientCode));
    }
    this.pairs.clear();
  }
}
