/**
 * A rejected `build` flag value. Messages are one line (a few buildx messages span three, kept verbatim)
 * and use buildx's wording so `ERROR: <message>` reads exactly as upstream.
 */
export class FlagError extends Error {
  override name = 'FlagError';
}
