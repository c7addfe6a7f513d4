// Stands in for a node whose driver tsbuildx does not implement yet. Storing, listing and removing such
// nodes only needs the store; anything that needs the daemon fails with buildx's unknown-driver error.
import type { Driver, DriverConfig, DriverName, DriverStatus, Feature } from './driver.js';
import type { Duplex } from 'node:stream';
import type { BuildkitClient } from '../buildkit/client.js';
import { BuildxError } from '../util/errors.js';

export class UnavailableDriver implements Driver {
  readonly isMobyDriver = false;
  constructor(readonly name: DriverName, readonly config: DriverConfig) {}

  private fail(): never {
    throw new BuildxError(`failed to find driver "${this.name}"`);
  }

  async bootstrap(): Promise<void> { this.fail(); }
  /** Go lists unreachable nodes as `inactive` without an error; that is what the user sees here too. */
  async status(): Promise<DriverStatus> { return 'inactive'; }
  async version(): Promise<string> { return ''; }
  async features(): Promise<Set<Feature>> { return new Set(); }
  async stop(): Promise<void> {}
  async rm(): Promise<void> {}
  async dial(): Promise<Duplex> { this.fail(); }
  async client(): Promise<BuildkitClient> { this.fail(); }
  async openSession(): Promise<() => Promise<void>> { this.fail(); }
}
