// Typed errors with exit codes. Only bin/ prints `ERROR: <msg>` and sets the exit code (cli.md §6).

export class BuildxError extends Error {
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Ctrl-C or an aborted signal: exit 130. */
export class CanceledError extends BuildxError {
  constructor(cause?: unknown) {
    super('canceled', 130, { cause });
  }
}

export class InternalError extends BuildxError {
  constructor(message: string, cause?: unknown) {
    super(message, 100, { cause });
  }
}

export class ResourceExhaustedError extends BuildxError {
  constructor(message: string, cause?: unknown) {
    super(message, 102, { cause });
  }
}

/** An error whose text is printed verbatim (no `ERROR:` prefix), like docker/cli's StatusError. */
export class StatusError extends BuildxError {
  constructor(readonly status: string, exitCode: number) {
    super(status, exitCode === 0 ? 1 : exitCode);
  }
}

/** gRPC status codes that change the exit code (grpc-js `status` enum values). */
const GRPC_CANCELLED = 1;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_INTERNAL = 13;

interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err instanceof CanceledError);
}

/** Maps anything thrown to a BuildxError with buildx's exit code rules. */
export function toBuildxError(err: unknown): BuildxError {
  if (err instanceof BuildxError) return err;
  if (isAbort(err)) return new CanceledError(err);
  const g = (typeof err === 'object' && err !== null ? err : {}) as GrpcLikeError;
  const message = typeof g.details === 'string' && g.details !== '' ? g.details
    : err instanceof Error ? err.message : String(err);
  if (typeof g.code === 'number') {
    if (g.code === GRPC_CANCELLED) return new CanceledError(err);
    if (g.code === GRPC_INTERNAL) return new InternalError(message, err);
    if (g.code === GRPC_RESOURCE_EXHAUSTED) return new ResourceExhaustedError(message, err);
  }
  if (/context canceled$/.test(message)) return new CanceledError(err);
  return new BuildxError(message, 1, { cause: err });
}
