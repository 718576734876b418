export type { FieldValue, LogRecord, Rejection } from "./record.js";
export { blankRecord, createRecord } from "./record.js";
export {
  CATEGORICAL_FIELDS,
  DERIVED_FIELDS,
  FIELD_ALIASES,
  RECORD_FIELDS,
  canonicalField,
  fieldReader,
  getField,
  getFieldNumber,
  getFieldText,
  isKnownField,
} from "./fields.js";
export { createFieldCache, type FieldCache } from "./field-cache.js";
export { pathTemplate } from "./path-template.js";
export type { Finding, Threshold } from "./finding.js";
export { NO_FINDINGS } from "./finding.js";
export type { ConditionalSummary, DistributionSummary, FrequencySummary, Summary } from "./summary.js";
export {
  API_VERSION,
  defineDetector,
  isDetectorDefinition,
  type AnyDetectorDefinition,
  type DetectorContext,
  type DetectorDefinition,
  type DetectorHooks,
  type DetectorMeta,
} from "./detector.js";
export { validateOptions } from "./options.js";
export type { BinKey, CountBin, CountRow, CountSpec, CountTables } from "./count-tables.js";
export {
  binKey,
  binMinimum,
  binMultiplier,
  countQueryFor,
  countRecords,
  countTables,
  declaredCounts,
  deriveRows,
  derivedMappings,
  derivedValues,
  isNumericField,
  MAPPABLE_FIELDS,
  isRecordField,
  planCounts,
  rawInputs,
  type CountPlan,
  type CountQuery,
  type CountResults,
  type DerivedMapping,
  type RawCountRow,
} from "./counted.js";
export { fitFromCounts } from "./counted-fit.js";
export {
  flagRows,
  footprintFindings,
  footprintRecord,
  planCandidates,
  representativesOf,
  type CandidatePlan,
  type CandidateQuery,
  type CandidateRow,
} from "./candidates.js";
export { nearest } from "./suggest.js";
export { ConfigError, DetectorError, InputError, ModelError, UserError, isUserError } from "./errors.js";
export { formatCount, formatProbability, quoteValue, surprisal } from "./format.js";
export { ownString } from "./own-string.js";
export {
  COMBINE_MODES,
  DEFAULT_SCORING,
  createPipeline,
  type CombineMode,
  type DetectorEntry,
  type Pipeline,
  type PipelineDetector,
  type ScoringOptions,
} from "./pipeline.js";
export {
  MODEL_FORMAT,
  MODEL_VERSION,
  createFitter,
  mergeModels,
  mergeShards,
  modelFromJSON,
  modelToJSON,
  prepareModel,
  type Fitter,
  type Model,
  type ModelFile,
  type ModelMeta,
} from "./model.js";
export {
  TopRecords,
  combineFindings,
  evidenceGroups,
  compareScored,
  createScorer,
  fitBatches,
  scoreBatches,
  type ScoredRecord,
} from "./score.js";
export { fitProtected, type ProtectionReport } from "./protect.js";
export {
  addBatch,
  addBreakdown,
  addUnscored,
  addRejectionClasses,
  emptyStats,
  rejectionClass,
  type InputStats,
  type RecordBatch,
} from "./batch.js";
export {
  ConditionalProfiler,
  FieldProfiler,
  type ConditionalProfileCounts,
  type FieldProfileCounts,
  type TableOptions,
  type ValueFrequency,
} from "./profile.js";
export type { FormatName, FormatSpec, LineParser, ReadOptions, RecordStream } from "./input/types.js";
/** Zod, re-exported so detector packages can declare option schemas depending on `@oddity/core` alone. */
export { z } from "zod";
export {
  BoundedCounter,
  CountMinSketch,
  DEFAULT_CODE_LIMIT,
  DEFAULT_SKETCH_DEPTH,
  DEFAULT_SKETCH_WIDTH,
  MAX_DISTINCT_LIMIT,
  compareCounts,
  countSchema,
  invalidState,
  pairKey,
  parseState,
  positiveCountSchema,
  splitPairKey,
  ValueCodes,
  type BoundedCounterJSON,
  type BoundedCounterOptions,
  type Coding,
  type CountMinJSON,
  type SketchShape,
} from "./counting/index.js";
export type { StreamInput } from "./input/types.js";
export { readInputs, type ReadInputsOptions } from "./input/read.js";
export { READ_CHUNK_BYTES } from "./input/sources.js";
export { expandInputs } from "./input/expand.js";
export { spoolStdin, type SpooledInput } from "./input/stdin.js";
export {
  createLineSplitter,
  DEFAULT_MAX_LINE_LENGTH,
  type LineSplitter,
  type LineSplitterOptions,
} from "./input/lines.js";
export { NCSA_EXTRA_FIELDS } from "./parsers/clf-family.js";
export { createParser } from "./parsers/create.js";
export { parseFormatOption } from "./parsers/format-option.js";
export { resolveFormat, sniffFormat } from "./parsers/resolve.js";
export { SNIFF_LINES, type SniffResult } from "./parsers/sniff.js";
export { parseClfTime, parseTimeValue } from "./parsers/time.js";
export { excerpt, splitRequest, type RequestParts } from "./parsers/text.js";
