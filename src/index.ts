// tsbuildx as a library: everything the commands use is importable by other programs.
export { BuildxError, CanceledError, InternalError, StatusError, toBuildxError } from './errors.js';
export { BuildkitClient } from './buildkit/client.js';
export type { Dialer } from './buildkit/bridge.js';
export { resolveBuilder, contextBuilder, type Builder, type BuilderNode } from './builder/builder.js';
export { listBuilders, type BuilderInfo, type NodeInfo } from './builder/list.js';
export { formatLsJSON, formatLsTable } from './builder/format-ls.js';
export { buildxConfigDir, buildNodeId } from './builder/paths.js';
export { createBuilder, leaveBuilder, type CreateOptions, type CreateResult, type LeaveOptions } from './builder/create.js';
export { useBuilder, removeBuilders, removeInactiveBuilders, stopBuilder, type UseOptions, type RemoveOptions } from './builder/manage.js';
export { inspectBuilder, type InspectOptions } from './builder/inspect.js';
export { currentEndpoint, currentContextName, resolveContext, type DockerEndpoint } from './docker/context.js';
export type { Driver, DriverFactory, DriverName, DriverStatus, Feature } from './drivers/driver.js';
export { getFactory } from './drivers/index.js';
export { runBuild, BuildFailedError, type BuildOptions, type BuildResult, type BuildTarget, type ExportRequest, type ContextInput, type DockerfileInput } from './solver/build.js';
export { Session, type SessionOptions } from './solver/session/session.js';
export type { ProgressWriter } from './progress/writer.js';
export type { SolveStatus, Vertex, VertexStatus, VertexLog, VertexWarning } from './progress/types.js';
export { buildTimeline, readTimelineFile, renderTimelineHTML, renderTimelineSVG, timelineFormatFor, timelineFromRawJSON, TimelineRecorder, type Timeline, type TimelineBar, type TimelineOptions, type TimelineStep } from './progress/timeline.js';
