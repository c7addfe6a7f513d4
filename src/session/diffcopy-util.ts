// Small pieces shared by the DiffCopy sender, receiver and walk.

/** The text put into an ERR packet; cancellation reads like Go's so daemon logs look familiar. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'AbortError') return 'context canceled';
    return err.message;
  }
  return String(err);
}

/** Waits for `p` at most `ms`, never rejecting: for best-effort goodbyes to a peer that may be gone. */
export async function raceTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/** Go's `%q`-ish quoting for paths in error messages. */
export const quote = (s: string): string => JSON.stringify(s);

