import type { ValueCodes } from "@oddity/core";
import { withRoom } from "@oddity/detector-client";

/** Client codes below this fit a pair's number: path code × CLIENT_SPAN + client code (below 2^53). */
const CLIENT_SPAN = 2 ** 26;

/**
 * Counts tallied by value code (core's `valueCodes`) and not yet added to the samples: a typed-array slot
 * and a set of numbers cost far less than map lookups of the record's strings, and the codes of its ip
 * and path template are usually already known (other detectors asked for them first). The samples'
 * final content does not depend on the order of additions, so the tallies are added later, each client
 * and pair once ({@link PendingCounts.drain}).
 */
export class PendingCounts {
  readonly clientCodes: ValueCodes;
  readonly pathCodes: ValueCodes;
  private requests = new Float64Array(64);
  private errors = new Float64Array(64);
  private readonly clients: number[] = [];
  private readonly pairs = new Set<number>();

  constructor(clientCodes: ValueCodes, pathCodes: ValueCodes) {
    this.clientCodes = clientCodes;
    this.pathCodes = pathCodes;
  }

  /** True when the client's code fits a pair's number (else the caller counts by text). */
  static fits(client: number): boolean {
    return client < CLIENT_SPAN;
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
    this.pairs.add(path * CLIENT_SPAN + client);
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
      const clientCode = key % CLIENT_SPAN;
      pair(this.pathCodes.value((key - clientCode) / CLIENT_SPAN), this.clientCodes.value(clientCode));
    }
    this.pairs.clear();
  }
}
