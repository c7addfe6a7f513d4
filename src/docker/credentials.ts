// Registry credentials from the docker CLI config: inline auths, credsStore and credHelpers.
import { spawn } from 'node:child_process';
import { dockerConfigDir, readDockerConfig, type DockerConfigFile } from './config.js';

export interface RegistryCredentials {
  username: string;
  secret: string;
}

const HUB_KEY = 'https://index.docker.io/v1/';

/** The key docker uses in config.json for a registry host. */
export function configKeyFor(host: string): string {
  return host === 'registry-1.docker.io' || host === 'docker.io' || host === 'index.docker.io' ? HUB_KEY : host;
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

function runHelper(helper: string, serverURL: string): Promise<RegistryCredentials | undefined> {
  return new Promise((resolve) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      if (code !== 0) return resolve(undefined);
      try {
        const j = JSON.parse(out) as { Username?: string; Secret?: string };
        if (j.Username === '<token>') resolve({ username: '', secret: j.Secret ?? '' });
        else resolve({ username: j.Username ?? '', secret: j.Secret ?? '' });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin.end(serverURL);
  });
}

function inline(cfg: DockerConfigFile, key: string): RegistryCredentials | undefined {
  const auths = cfg.auths ?? {};
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => hostOf(k) === hostOf(key))?.[1];
  if (!entry) return undefined;
  if (entry.identitytoken) return { username: '', secret: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return { username: decoded.slice(0, i < 0 ? undefined : i), secret: i < 0 ? '' : decoded.slice(i + 1) };
  }
  if (entry.username) return { username: entry.username, secret: entry.password ?? '' };
  return undefined;
}

/** Credentials for a registry host, or undefined when none are configured. */
export async function credentialsFor(host: string, configDir = dockerConfigDir()): Promise<RegistryCredentials | undefined> {
  const cfg = await readDockerConfig(configDir);
  const key = configKeyFor(host);
  const helper = cfg.credHelpers?.[hostOf(key)] ?? cfg.credHelpers?.[key] ?? cfg.credsStore;
  if (helper) {
    const got = await runHelper(helper, key);
    if (got) return got;
  }
  return inline(cfg, key);
}
