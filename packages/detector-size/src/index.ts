export { size } from "./detector.js";
export {
  DEFAULT_K,
  DEFAULT_ROBUST_Z,
  DEFAULT_Z,
  sizeOptionsSchema,
  type SizeOptions,
  type SizeOptionsInput,
} from "./options.js";
export { STATE_VERSION, type SizeStateJSON } from "./serialize.js";
export type { SizeState } from "./state.js";

import { size } from "./detector.js";
export default size;
