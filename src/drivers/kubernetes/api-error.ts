// The API server's answer to a failed call, as one line: the Status message it sent (`deployments.apps
// "x" not found`), as client-go shows it, rather than the client library's multi-line dump.
export interface ApiFailure {
  code: number;
  message: string;
  reason?: string;
}

export function apiFailure(err: unknown): ApiFailure | undefined {
  const e = err as { code?: unknown; body?: unknown };
  if (typeof e?.code !== 'number') return undefined;
  let body: { message?: string; reason?: string } | undefined;
  if (typeof e.body === 'string') {
    try {
      body = JSON.parse(e.body) as typeof body;
    } catch {
      body = { message: e.body };
    }
  } else if (e.body && typeof e.body === 'object') {
    body = e.body as typeof body;
  }
  return { code: e.code, message: body?.message || `the server responded with status ${e.code}`, reason: body?.reason };
}

export function isNotFound(err: unknown): boolean {
  return apiFailure(err)?.code === 404;
}

export function isAlreadyExists(err: unknown): boolean {
  return apiFailure(err)?.code === 409;
}

/** `err` as an Error whose message is the server's, for callers that wrap it with context. */
export function apiError(err: unknown): Error {
  const f = apiFailure(err);
  if (!f) return err instanceof Error ? err : new Error(String(err));
  return new Error(f.message, { cause: err });
}
