// The strerror texts Go prints after `open <path>: ` or `dial unix <path>: connect: `, for Node's errno
// errors. Node's own messages (`ENOENT: no such file or directory, open '…'`) carry the same text for
// most codes; where libuv words it differently from the C library, the C library's wording is kept.

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ECONNREFUSED: 'connection refused',
  ENOTSOCK: 'socket operation on non-socket',
};

/** The errno code of a Node system error, or '' for anything else. */
export function errnoCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/** Go's text for a known errno code, else undefined. */
export function goStrerror(code: string): string | undefined {
  return STRERROR[code];
}

/** What Go prints for `err`: the strerror text for system errors, else the message. */
export function goErrnoText(err: unknown): string {
  const known = goStrerror(errnoCode(err));
  if (known) return known;
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.message === 'string' && typeof e.code === 'string') {
    const m = /^[A-Z0-9]+: ([^,]+)/.exec(e.message);
    if (m) return m[1]!;
  }
  return String(e?.message ?? err);
}
