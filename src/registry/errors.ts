// Registry failures worded as containerd's docker resolver words them, so imagetools errors read as
// buildx's: `unexpected status from GET request to <url>: 404 Not Found` plus the registry's own
// error list, and `<ref>: not found` when a manifest does not exist.

/** distribution's error codes and the messages that stand for "no detail". */
const CODE_MESSAGES: Record<string, string> = {
  UNKNOWN: 'unknown error',
  UNSUPPORTED: 'The operation is unsupported.',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNAVAILABLE: 'service unavailable',
  TOOMANYREQUESTS: 'too many requests',
};

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** The registry's JSON error list as containerd's Errors type prints it, or '' when there is none. */
export function formatRegistryErrors(body: string): string {
  let parsed: RegistryErrorBody;
  try {
    parsed = JSON.parse(body) as RegistryErrorBody;
  } catch {
    return '';
  }
  const list = (parsed?.errors ?? []).map((e) => {
    // An unknown code string decodes to UNKNOWN, as ParseErrorCode does.
    const code = e.code && e.code in CODE_MESSAGES ? e.code : 'UNKNOWN';
    const text = code.toLowerCase().replace(/_/g, ' ');
    const message = e.message ?? '';
    if (e.detail == null && (message === '' || message === CODE_MESSAGES[code])) return text;
    return `${text}: ${message}`;
  });
  if (list.length === 0) return '';
  if (list.length === 1) return list[0]!;
  return `errors:\n${list.map((l) => `${l}\n`).join('')}`;
}

export class UnexpectedStatusError extends Error {
  constructor(readonly status: number, readonly statusText: string, readonly method: string, readonly url: string, readonly body = '') {
    const base = `unexpected status from ${method} request to ${url}: ${status} ${statusText}`;
    const registry = body ? formatRegistryErrors(body) : '';
    super(registry ? `${base}\n${registry}` : base);
  }
}

/** containerd's ErrNotFound family: `<what>: not found`. */
export class NotFoundError extends Error {}

export function isNotFound(err: unknown): boolean {
  return err instanceof NotFoundError || (err instanceof UnexpectedStatusError && err.status === 404);
}

/** Node's fetch failures carry the socket error as `cause`; Go prints `dial tcp <addr>: connect: …`. */
export function requestFailed(method: string, url: string, err: unknown): Error {
  const cause = (err as { cause?: NodeJS.ErrnoException & { address?: string; port?: number } }).cause;
  let reason = (err as Error).message;
  if (cause?.code === 'ECONNREFUSED') reason = `dial tcp ${cause.address ?? ''}${cause.port ? `:${cause.port}` : ''}: connect: connection refused`;
  else if (cause?.message) reason = cause.message;
  const u = new URL(url);
  return new Error(`failed to do request: ${method === 'HEAD' ? 'Head' : method === 'GET' ? 'Get' : method === 'PUT' ? 'Put' : method === 'POST' ? 'Post' : method} "${u.toString()}": ${reason}`, { cause: err });
}
