// Before a push is sent, the credential helper for each target registry is asked once. buildx leaves a
// missing or failing helper to the daemon, which reports it mid-push inside the progress output; asking
// first turns it into one line naming the registry and the helper, with nothing built or pushed.
import { CredentialHelperError, credentialsFor } from '../docker/credentials.js';
import { parseReference } from '../flags/index.js';
import { BuildxError } from '../util/errors.js';

/** What these checks read of an exporter (the solve's ExportRequest fits). */
export interface ExporterEntry {
  type: string;
  attrs: Readonly<Record<string, string>>;
}

/** The registry host of an image name (`docker.io` when it names none). */
export function pushHostOf(name: string): string {
  return parseReference(name.trim()).domain || 'docker.io';
}

/** Registry hosts the exporters push to (`name=` of image exporters with `push=true`). */
export function pushHosts(exports: readonly ExporterEntry[]): string[] {
  const hosts = new Set<string>();
  for (const e of exports) {
    if (e.attrs.push !== 'true' || !e.attrs.name) continue;
    for (const name of e.attrs.name.split(',')) {
      try {
        hosts.add(pushHostOf(name));
      } catch {
        // Names were checked already; one the daemon refuses is its to report.
      }
    }
  }
  return [...hosts];
}

export async function checkPushCredentials(exports: readonly ExporterEntry[], configDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  for (const host of pushHosts(exports)) {
    try {
      await credentialsFor(host, configDir, env);
    } catch (err) {
      if (err instanceof CredentialHelperError) throw new BuildxError(`${host}: ${err.message}`);
      throw err;
    }
  }
}
