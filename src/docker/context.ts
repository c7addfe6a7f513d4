// Resolves the docker endpoint the way the docker CLI does: -H/DOCKER_HOST, then --context/DOCKER_CONTEXT,
// then config.json's currentContext, read from the context store under $DOCKER_CONFIG/contexts.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildxError } from '../util/errors.js';
import { dockerConfigDir, readDockerConfig, type DockerCliOptions } from './config.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface DockerTLS {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  skipVerify: boolean;
}

export interface DockerEndpoint {
  /** Context name (`default` when none is selected). */
  contextName: string;
  /** Daemon address: unix:///path, tcp://host:port, … */
  host: string;
  tls?: DockerTLS;
}

/** A docker context's `kubernetes` endpoint (docker/cli's kubernetes EndpointMeta), with its TLS files. */
export interface KubernetesContextEndpoint {
  host: string;
  skipTLSVerify: boolean;
  defaultNamespace?: string;
  proxyURL?: string;
  token?: string;
  username?: string;
  password?: string;
  tls?: DockerTLS;
}

interface KubernetesEndpointMeta {
  Host?: string;
  SkipTLSVerify?: boolean;
  DefaultNamespace?: string;
  ProxyURL?: string;
  token?: string;
  usernamePassword?: { username?: string; password?: string };
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean }; kubernetes?: KubernetesEndpointMeta };
}

export function contextDirHash(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

async function tlsFromDir(dir: string, skipVerify: boolean): Promise<DockerTLS | undefined> {
  const [ca, cert, key] = await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((f) => readOptional(join(dir, f))));
  if (!ca && !cert && !key) return skipVerify ? { skipVerify } : undefined;
  return { ca, cert, key, skipVerify };
}

/** The name of the docker context in use. */
export async function currentContextName(opts: DockerCliOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  if (opts.context) return opts.context;
  if (opts.host ?? env.DOCKER_HOST) return 'default';
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  const cfg = await readDockerConfig(dockerConfigDir(opts));
  return cfg.currentContext || 'default';
}

async function readContextMeta(configDir: string, name: string): Promise<ContextMeta | undefined> {
  const file = join(configDir, 'contexts', 'meta', contextDirHash(name), 'meta.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as ContextMeta;
}

async function defaultEndpoint(opts: DockerCliOptions): Promise<DockerEndpoint> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? env.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '';
  if (!verify && !env.DOCKER_TLS) return { contextName: 'default', host };
  const certDir = env.DOCKER_CERT_PATH || join(dockerConfigDir(opts));
  return { contextName: 'default', host, tls: (await tlsFromDir(certDir, !verify)) ?? { skipVerify: !verify } };
}

/** Resolves a context by name to its docker endpoint. */
export async function resolveContext(name: string, opts: DockerCliOptions = {}): Promise<DockerEndpoint> {
  if (name === 'default') return defaultEndpoint(opts);
  const dir = dockerConfigDir(opts);
  const meta = await readContextMeta(dir, name);
  if (!meta) throw new BuildxError(`context "${name}" does not exist`);
  const ep = meta.Endpoints?.docker;
  if (!ep?.Host) throw new BuildxError(`context "${name}" has no docker endpoint`);
  const tls = await tlsFromDir(join(dir, 'contexts', 'tls', contextDirHash(name), 'docker'), ep.SkipTLSVerify ?? false);
  return { contextName: name, host: ep.Host, tls };
}

/** The endpoint of the current docker context. */
export async function currentEndpoint(opts: DockerCliOptions = {}): Promise<DockerEndpoint> {
  return resolveContext(await currentContextName(opts), opts);
}

/** Does a docker context of this name exist (the default one always does)? */
export async function contextExists(name: string, opts: DockerCliOptions = {}): Promise<boolean> {
  if (name === 'default') return true;
  return (await readContextMeta(dockerConfigDir(opts), name)) !== undefined;
}

/**
 * The kubernetes endpoint stored in docker context `name`: undefined when the context has none, an
 * error when the context does not exist (the default context keeps no endpoints in the store).
 */
export async function contextKubernetesEndpoint(name: string, opts: DockerCliOptions = {}): Promise<KubernetesContextEndpoint | undefined> {
  if (name === 'default') return undefined;
  const dir = dockerConfigDir(opts);
  const meta = await readContextMeta(dir, name);
  if (!meta) throw new BuildxError(`context "${name}" does not exist`);
  const ep = meta.Endpoints?.kubernetes;
  if (!ep?.Host) return undefined;
  const tls = await tlsFromDir(join(dir, 'contexts', 'tls', contextDirHash(name), 'kubernetes'), ep.SkipTLSVerify ?? false);
  return {
    host: ep.Host, skipTLSVerify: ep.SkipTLSVerify ?? false, defaultNamespace: ep.DefaultNamespace || undefined,
    proxyURL: ep.ProxyURL || undefined, token: ep.token || undefined,
    username: ep.usernamePassword?.username, password: ep.usernamePassword?.password, tls,
  };
}
