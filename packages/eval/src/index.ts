export { createRandom, type Random } from "./random.js";
export { formatClfTime, formatCombined } from "./combined.js";
export { SALES_PAGES, generateRecords, generateTraffic, type GenerateOptions } from "./generate.js";
export {
  ANOMALY_KINDS,
  injectAnomalies,
  type AnomalyKind,
  type InjectOptions,
  type InjectedLog,
} from "./inject.js";
export { computeMetrics, rankIndexes, rocAuc, type Metrics, type MetricsInput } from "./metrics.js";
export {
  DEFAULT_K,
  evaluate,
  type DetectorMetrics,
  type EvaluateOptions,
  type EvaluationResult,
  type FalsePositive,
  type KindMetrics,
  type ProtectionFigures,
} from "./evaluate.js";
export { formatEvaluation } from "./format.js";
export {
  SCENARIOS,
  formatReport,
  runEvaluation,
  type EvaluationReport,
  type RunEvaluationOptions,
  type Scenario,
} from "./run.js";
export { CSIC_FILES, convertCsic, csicLabel, type CsicOptions } from "./csic.js";
export {
  evaluateCsic,
  formatCsicEvaluation,
  type CsicEvaluation,
  type CsicEvaluationOptions,
} from "./csic-eval.js";
export { safeText } from "./text.js";
export {
  DEFAULT_DETECTOR_IDS,
  DEFAULT_ENTRIES,
  defaultPipeline,
  type DefaultDetectorId,
  type DefaultPipelineOptions,
} from "./pipeline.js";
export {
  NORMAL_LABEL,
  REAL_TRAFFIC_FIXTURE,
  evaluateLabelledLog,
  formatLabelledLogEvaluation,
  labelRecords,
  parseAddressLabels,
  readLabelledLog,
  type LabelledLogEvaluation,
  type LabelledRecords,
  type ToolRecall,
} from "./labelled-log.js";
export {
  evaluateTopProbes,
  formatTopProbes,
  labelProbes,
  probeKind,
  type ProbeKind,
  type TopProbesEvaluation,
  type TopRow,
} from "./probes.js";
