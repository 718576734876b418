export {
  CountMinSketch,
  DEFAULT_SKETCH_DEPTH,
  DEFAULT_SKETCH_WIDTH,
  type CountMinJSON,
  type SketchShape,
} from "./count-min.js";
export {
  BoundedCounter,
  MAX_DISTINCT_LIMIT,
  compareCounts,
  type BoundedCounterJSON,
  type BoundedCounterOptions,
  type Coding,
} from "./bounded-counter.js";
export { DEFAULT_CODE_LIMIT, ValueCodes } from "./value-codes.js";
export { pairKey, splitPairKey } from "./pair-key.js";
export { countSchema, invalidState, parseState, positiveCountSchema } from "./state-schema.js";
