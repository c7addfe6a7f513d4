// The `Features:` block of `inspect --debug`: every feature a driver reports on, true or false, under
// buildx's names. tsbuildx drivers report only the features they have, so the full key set of each
// driver (driver/*/driver.go Features in buildx v0.36.1) is kept here.
import type { DriverName, Feature } from './driver.js';

const DEFAULT_LOAD_LABEL = 'Automatically load images to the Docker Engine image store';

const CONTAINER_KEYS: Feature[] = ['OCI exporter', 'Docker exporter', 'Cache export', 'Multi-platform build', 'Direct push', 'Default load'];

function label(f: Feature): string {
  return f === 'Default load' ? DEFAULT_LOAD_LABEL : f;
}

/** [name, enabled] pairs sorted by name, as inspect prints them. */
export function featureTable(driver: DriverName, have: ReadonlySet<Feature>): [string, boolean][] {
  const rows: [string, boolean][] = CONTAINER_KEYS.map((f) => [label(f), have.has(f)]);
  // Only the docker driver reports digest preference (it follows the engine's image store).
  if (driver === 'docker') rows.push(['Prefer image digest', have.has('Prefer image digest')]);
  return rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
