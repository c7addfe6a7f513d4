// Registry credentials from the docker CLI config, as the docker CLI resolves them: a credential helper
// (`credHelpers[host]`, else `credsStore`) answers alone when configured; otherwise the `auths` entry.
// Helper failures carry the docker CLI's message, which names the helper.
import { spawn } from 'node:child_process';
import { dockerConfigDir, readDockerConfig, type DockerConfigFile } from './config.js';

export interface RegistryCredentials {
  username: string;
  /** The password, or the identity (refresh) token when `username` is empty. */
  secret: string;
  /** A static bearer token (`registrytoken`), used instead of fetching one. */
  registryToken?: string;
}

/** A credential helper that is missing or failed; its message is the docker CLI's. */
export class CredentialHelperError extends Error {}

const HUB_KEY = 'https://index.docker.io/v1/';
/** What helpers print when they hold nothing for the server: not an error. */
const NOT_FOUND = 'credentials not found in native keychain';

/** The key docker uses in config.json for a registry host. */
export function configKeyFor(host: string): string {
  return host === 'registry-1.docker.io' || host === 'docker.io' || host === 'index.docker.io' ? HUB_KEY : host;
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

function runHelper(helper: string, serverURL: string, env: NodeJS.ProcessEnv): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const failed = (err: string, out: string) => new CredentialHelperError(`error getting credentials - err: ${err}, out: \`${out}\``);
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'ignore'], env });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(failed(err.code === 'ENOENT' ? `exec: ${JSON.stringify(program)}: executable file not found in $PATH` : err.message, ''));
    });
    // A helper that exits before reading its stdin must not crash the client.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      const text = out.trim();
      if (code !== 0) {
        if (text === NOT_FOUND) return resolve(undefined);
        return reject(failed(signal ? `signal: ${signal}` : `exit status ${code}`, text));
      }
      try {
        const j = JSON.parse(out) as { Username?: string; Secret?: string };
        if (j.Username === '<token>') resolve({ username: '', secret: j.Secret ?? '' });
        else resolve({ username: j.Username ?? '', secret: j.Secret ?? '' });
      } catch (err) {
        reject(new CredentialHelperError(`error getting credentials - err: ${program} printed no JSON: ${(err as Error).message}`));
      }
    });
    child.stdin.end(serverURL);
  });
}

function inline(cfg: DockerConfigFile, key: string): RegistryCredentials | undefined {
  const auths = cfg.auths ?? {};
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => hostOf(k) === hostOf(key))?.[1];
  if (!entry) return undefined;
  const registryToken = entry.registrytoken || undefined;
  if (entry.identitytoken) return { username: '', secret: entry.identitytoken, registryToken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return { username: decoded.slice(0, i < 0 ? undefined : i), secret: i < 0 ? '' : decoded.slice(i + 1), registryToken };
  }
  if (entry.username || registryToken) return { username: entry.username ?? '', secret: entry.password ?? '', registryToken };
  return undefined;
}

/** The helper that answers for a host, if any. */
export function helperFor(cfg: DockerConfigFile, host: string): string | undefined {
  const key = configKeyFor(host);
  return cfg.credHelpers?.[hostOf(key)] ?? cfg.credHelpers?.[key] ?? (cfg.credsStore || undefined);
}

/**
 * Credentials for a registry host, or undefined when none are configured; throws
 * {@link CredentialHelperError} when the configured helper is missing or fails.
 */
export async function credentialsFor(host: string, configDir = dockerConfigDir(), env: NodeJS.ProcessEnv = process.env): Promise<RegistryCredentials | undefined> {
  const cfg = await readDockerConfig(configDir);
  const key = configKeyFor(host);
  const helper = helperFor(cfg, host);
  return helper ? runHelper(helper, key, env) : inline(cfg, key);
}
