// Endpoint strings as buildx stores them in instances and uses as the key of `current`/`defaults`
// (cli.md §2.4, §4.2).
import { BuildxError } from '../util/errors.js';
import { contextExists, currentContextName, resolveContext } from '../docker/context.js';

/** The current context's name, or the daemon host when the context is `default`. */
export async function currentEndpointKey(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const ctx = await currentContextName({ env });
  if (ctx !== 'default') return ctx;
  return (await resolveContext('default', { env })).host;
}

/** Does the default context take its TLS material from the environment (which a stored node cannot)? */
export async function defaultContextUsesEnvTLS(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if ((await currentContextName({ env })) !== 'default') return false;
  return (await resolveContext('default', { env })).tls !== undefined;
}

const DOCKER_HOST_RE = /^(unix|tcp|ssh|npipe|fd|http|https):\/\/\S*$/;

/** An endpoint argument for docker-based drivers: a context name (kept), or a docker host URL. */
export async function validateDockerEndpoint(ep: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (await contextExists(ep, { env })) return ep === 'default' ? (await resolveContext('default', { env })).host : ep;
  if (DOCKER_HOST_RE.test(ep)) return ep;
  // Like the docker CLI, a bare host[:port] means TCP on the TLS port.
  if (/^[A-Za-z0-9.-]+(:\d+)?$/.test(ep)) return /:\d+$/.test(ep) ? `tcp://${ep}` : `tcp://${ep}:2376`;
  throw new BuildxError(`failed to parse endpoint ${ep}: Invalid bind address format: ${ep}`);
}

const REMOTE_SCHEMES = new Set(['docker-container', 'kube-pod', 'npipe', 'ssh', 'tcp', 'unix']);

/** An endpoint for the remote driver: any URL whose scheme BuildKit's client can dial. */
export function validateBuildkitEndpoint(ep: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(ep);
  const scheme = m ? m[1]!.toLowerCase() : '';
  if (!REMOTE_SCHEMES.has(scheme)) throw new BuildxError(`unrecognized url scheme ${scheme}`);
  return ep;
}
