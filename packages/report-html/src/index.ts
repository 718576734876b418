export {
  MAX_COLLECTED_BUCKETS,
  TARGET_DRAWN_BUCKETS,
  createReportCollector,
  type CollectorOptions,
  type ReportCollector,
} from "./collector.js";
export { MAX_RAW_LENGTH, buildReport, type BuildReportInput } from "./build.js";
export { reportDataFromResults, type ResultsReportInput, type SavedResults } from "./results.js";
export { renderReport } from "./render.js";
export { writeReport } from "./write.js";
export { CONTENT_SECURITY_POLICY } from "./page-script.js";
export { displayText, escapeHtml } from "./escape.js";
export type { ReportAnomaly, ReportData, ReportDetector, TimelineData } from "./types.js";
