// The solve status stream as the progress layer sees it: BuildKit's StatusResponse
// (moby/buildkit v0.32.2 api/services/control/control.proto, client/graph.go) with protobuf
// artefacts removed: times are epoch nanoseconds as bigint, byte fields are Buffers.

/** Nanoseconds since the Unix epoch. */
export type Nanos = bigint;

export interface ProgressGroup {
  id: string;
  name: string;
  weak: boolean;
}

export interface Vertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: Nanos;
  completed?: Nanos;
  error?: string;
  progressGroup?: ProgressGroup;
}

export interface VertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  timestamp: Nanos;
  started?: Nanos;
  completed?: Nanos;
}

export interface VertexLog {
  vertex: string;
  stream: number;
  data: Buffer;
  timestamp: Nanos;
}

export interface SourcePosition {
  line: number;
  character: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export interface SourceInfo {
  filename: string;
  data: Buffer;
  language: string;
}

export interface VertexWarning {
  vertex: string;
  level: number;
  short: Buffer;
  detail: Buffer[];
  url: string;
  sourceInfo?: SourceInfo;
  ranges: SourceRange[];
}

/** One StatusResponse. */
export interface SolveStatus {
  vertexes: Vertex[];
  statuses: VertexStatus[];
  logs: VertexLog[];
  warnings: VertexWarning[];
}

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'rawjson' | 'quiet' | 'none';
