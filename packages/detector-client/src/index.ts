import { client } from "./client.js";

export { client };
export default client;
export {
  DEFAULT_CONCENTRATION,
  DEFAULT_ERROR_STATUS,
  DEFAULT_KEY,
  DEFAULT_MAX_BITS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_PATHS,
  DEFAULT_MIN_ODD,
  DEFAULT_PATH_FIELD,
  DEFAULT_THRESHOLD,
  clientOptionsSchema,
  errorPredicate,
  keyFields,
  type ClientOptions,
  type ClientOptionsInput,
} from "./options.js";
export { STATE_VERSION, type ClientState, type ClientTally, type PathTally } from "./state.js";
export { keyOf, keyReader } from "./client-key.js";
export { percentText, tailText } from "./findings.js";
export { HashSample, NO_CEILING, mergeSamples, selectionHash, type Hashed } from "./hash-sample.js";
export { withRoom } from "./pending.js";
export { checkSavedCap, readCount, readSample, readText, sampleSchema } from "./saved-sample.js";
export { logBeta, logBetaBinomialTail, logGamma, type TailInput } from "./tail.js";
export { testClient, type TestInput, type TestLimits, type TestResult } from "./verdict.js";
