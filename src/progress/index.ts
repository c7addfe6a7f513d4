// Public surface of the progress layer.
export type { Nanos, ProgressGroup, ProgressMode, SolveStatus, SourceInfo, SourceRange, Vertex, VertexLog, VertexStatus, VertexWarning } from './types.js';
export type { ProgressPrinter, ProgressWriter } from './writer.js';
export { createProgressWriter, type ProgressWriterOptions } from './printer.js';
export { formatWarnings, formatSourceExcerpt, dedupWarnings, type FormatWarningsOptions } from './warnings.js';
export { withVertex, type VertexLogger, type WithVertexOptions } from './vertex.js';
export { ProgressModel, VertexState, mergeIntervals, isCanceledError, type Interval, type LogPiece, type ModelListener, type ProgressModelOptions } from './model.js';
export { PlainRenderer, type PlainRendererOptions } from './plain.js';
export { encodeRawJSON, decodeRawJSON, markLocalTime } from './rawjson.js';
export { formatBytes, formatFixed, formatLogTime, formatRFC3339Nano, formatSeconds, parseRFC3339Nano } from './format.js';
export { TtyRenderer, type TtyRendererOptions } from './tty.js';
export { parseBuildkitColors, colorSettings, loadStyler, noStyle, type ColorLevel, type ColorSettings, type ColorSpec, type Palette, type ParsedColors, type Styler } from './tty-colors.js';
export { GhaRenderer, escapeCommandData, type GhaRendererOptions } from './gha.js';
export {
  SummaryRecorder, buildSummary, formatBuildSummary, formatCount, formatDuration, recordSummary,
  type BuildSummary, type BuildSummaryInput, type ContextSummary, type ExportInfo, type FormatSummaryOptions,
  type ImageSummary, type StepCounts, type TransferInfo,
} from './summary.js';
export { buildTimeline, readTimelineFile, renderTimelineHTML, renderTimelineSVG, splitLines, timelineFormatFor, timelineFromRawJSON, RawJSONLineError, TimelineRecorder, type BarLabel, type StepState, type Timeline, type TimelineBar, type TimelineCounts, type TimelineFormat, type TimelineOptions, type TimelineStep } from './timeline.js';
