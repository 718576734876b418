/**
 * A binary max-heap of values keyed by a 32-bit hash, so a counter evicts its largest-hash value in
 * O(log k) instead of sorting per newcomer. Values with equal hashes come out in no particular order.
 */
export class HashHeap {
  // Parallel arrays rather than [hash, value] pairs: no allocation per entry.
  private readonly hashes: number[] = [];
  private readonly values: string[] = [];

  /** A heap holding `entries`, built in O(n). */
  static from(entries: Iterable<readonly [hash: number, value: string]>): HashHeap {
    const heap = new HashHeap();
    for (const [hash, value] of entries) {
      heap.hashes.push(hash);
      heap.values.push(value);
    }
    for (let i = (heap.hashes.length >> 1) - 1; i >= 0; i--) heap.siftDown(i);
    return heap;
  }

  get size(): number {
    return this.hashes.length;
  }

  /** The largest hash held; undefined when empty. */
  peek(): number | undefined {
    return this.hashes[0];
  }

  push(hash: number, value: string): void {
    this.hashes.push(hash);
    this.values.push(value);
    this.siftUp(this.hashes.length - 1);
  }

  /** Removes and returns the value with the largest hash; undefined when empty. */
  pop(): string | undefined {
    const top = this.values[0];
    const lastHash = this.hashes.pop();
    const lastValue = this.values.pop();
    if (this.hashes.length > 0 && lastHash !== undefined && lastValue !== undefined) {
      this.hashes[0] = lastHash;
      this.values[0] = lastValue;
      this.siftDown(0);
    }
    return top;
  }

  private swap(i: number, j: number): void {
    const { hashes, values } = this;
    [hashes[i], hashes[j]] = [hashes[j]!, hashes[i]!];
    [values[i], values[j]] = [values[j]!, values[i]!];
  }

  private siftUp(i: number): void {
    const { hashes } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hashes[parent]! >= hashes[i]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const { hashes } = this;
    const n = hashes.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < n && hashes[left]! > hashes[largest]!) largest = left;
      if (right < n && hashes[right]! > hashes[largest]!) largest = right;
      if (largest === i) return;
      this.swap(i, largest);
      i = largest;
    }
  }
}
