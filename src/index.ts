// tsbuildx as a library: what the commands use is what a Node program imports. Builds and builder
// management return data; progress is a writer the caller hands in (a renderer, an event stream, both).

// Builds.
export {
  build, checkBuildRequest, prepareBuild, type BuildOptions, type BuildRequest, type BuildResult, type BuildStage, type PreparedBuild,
  type PrepareOptions, type RunOptions,
} from './api/build.js';

// Builder instances (the store is shared with Go buildx).
export * from './api/builders.js';

// A builder's control API over a pair of streams (`dial-stdio`).
export { dialStdio, type DialOptions } from './api/dial.js';

// Build records (`history`): list, inspect, logs, remove, export.
export * from './api/history.js';

// Build cache: `du` and `prune`.
export {
  diskUsage, preparePrune, prune, pruneInfo, checkFilterFlag, parseGoDurationNs, ramInBytes, type DiskUsageOptions, type PreparedPrune, type PruneOptions, type UsageRecord,
} from './builder/disk-usage.js';
export { duFormat, formatDiskUsage, PruneOutput, usageSummary, DU_PRETTY_FORMAT, DU_TABLE_FORMAT, type FormatDiskUsageOptions } from './builder/format-du.js';

// Progress: the status stream as events, the renderers buildx has, the summary and the timeline.
export { ProgressEvents, progressEvents, type ProgressEventsOptions } from './progress/events.js';
export { teeProgress } from './progress/tee.js';
export { observeProgress } from './progress/observe.js';
export { createProgressWriter, type ProgressWriterOptions } from './progress/printer.js';
export type { ProgressPrinter, ProgressWriter } from './progress/writer.js';
export type { SolveStatus, Vertex, VertexLog, VertexStatus, VertexWarning } from './progress/types.js';
export { formatWarnings, type FormatWarningsOptions } from './progress/warnings.js';
export { formatBuildSummary, type BuildSummary, type FormatSummaryOptions } from './progress/summary.js';
export {
  buildTimeline, readTimelineFile, renderTimelineHTML, renderTimelineSVG, timelineFormatFor, timelineFromRawJSON,
  TimelineRecorder, type Timeline, type TimelineBar, type TimelineFormat, type TimelineOptions, type TimelineStep,
} from './progress/timeline.js';

// Flag grammars: `docker buildx build` flag strings into request values, and back.
export {
  canonicalizeAttest, checkImageIdFile, formatCacheEntry, formatOutput, formatSecret, formatSSH, formatUlimit, parseBuildArgs, parseCacheEntries,
  parseAttests, parseCacheEntry, parseLabels, parseOutput, parseOutputs, parseSecret, parseSecrets, parseShmSize, parseSSH, parseSSHSpecs, parseUlimit,
  parseUlimits, resolveProgressMode, withSourceDateEpoch, FlagError,
  type CacheEntry, type ExportEntry, type ProgressMode, type Secret, type SSHSpec, type Ulimit,
} from './flags/index.js';

// The --metadata-file contract.
export { buildMetadata, metadataFileText, type BuildMetadata, type MetadataValue } from './solver/metadata.js';

// Errors, each with buildx's exit code.
export { BuildxError, CanceledError, InternalError, ResourceExhaustedError, StatusError, toBuildxError } from './util/errors.js';
export { BuildFailedError } from './solver/build.js';

// Lower levels, for programs that manage drivers themselves: one solve on one driver, the control client.
export { runBuild, type ExportRequest, type SolveOptions, type SolveResult, type SolveRunOptions, type SolveTarget } from './solver/build.js';
export type { BootstrapProgress, Driver, DriverConfig, DriverFactory, DriverName, DriverStatus, Feature } from './drivers/driver.js';
export { silentBootstrap } from './drivers/driver.js';
export { getFactory } from './drivers/index.js';
export { BuildkitClient } from './buildkit/client.js';
export type { Dialer } from './buildkit/bridge.js';
export { Session, type SessionOptions } from './session/session.js';
export { currentContextName, currentEndpoint, resolveContext, type DockerEndpoint } from './docker/context.js';
export { buildNodeId, buildxConfigDir } from './builder/paths.js';

// Images in registries and OCI layouts (`imagetools inspect|create`), and the lower-level library the
// multi-node merge uses.
export { createImage, imageCreateMetadataText, inspectImage, type CreateImageOptions, type CreateImageResult, type ImagetoolsOptions, type InspectImageOptions } from './api/imagetools.js';
