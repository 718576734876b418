import { conditional } from "./conditional.js";

export { conditional };
export default conditional;
export { judge, type Judgement } from "./judge.js";
export {
  DEFAULT_MAX_DISTINCT,
  DEFAULT_MAX_LIFT,
  DEFAULT_MIN_SUPPORT,
  DEFAULT_PAIRS,
  DEFAULT_SMOOTHING,
  DEFAULT_THRESHOLD,
  conditionalOptionsSchema,
  resolvePairs,
  type ConditionalOptions,
  type ConditionalOptionsInput,
  type PairRule,
} from "./options.js";
export { STATE_VERSION, type ConditionalState, type PairCounts } from "./state.js";
