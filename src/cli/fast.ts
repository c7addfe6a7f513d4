// Answers that must not pay for loading oclif or any protocol code.
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  revision: string;
}

export function buildInfo(): BuildInfo {
  try {
    return JSON.parse(readFileSync(new URL('./build-info.json', import.meta.url), 'utf8')) as BuildInfo;
  } catch {
    return { version: 'v0.0.0+unknown', revision: '' };
  }
}

/** docker-cli-plugin-metadata output: 5-space indentation, as docker/cli's encoder writes it. */
export function pluginMetadata(info: BuildInfo): string {
  const meta = { SchemaVersion: '0.1.0', Vendor: 'Docker Inc.', Version: info.version, ShortDescription: 'Docker Buildx' };
  return JSON.stringify(meta, null, 5) + '\n';
}

export function versionLine(info: BuildInfo): string {
  return `github.com/docker/buildx ${info.version} ${info.revision}\n`;
}

/** Strips docker's argv prefix in plugin mode: docker global flags, then `buildx`. */
export function pluginArgs(args: string[]): string[] {
  const i = args.indexOf('buildx');
  return i >= 0 ? args.slice(i + 1) : args;
}

/** Returns true when the invocation was fully answered here. */
export function fastAnswer(args: string[]): boolean {
  if (args[0] === 'docker-cli-plugin-metadata' && args.length === 1) {
    process.stdout.write(pluginMetadata(buildInfo()));
    return true;
  }
  const rest = process.env.DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND ? pluginArgs(args) : args;
  if (rest.length === 1 && rest[0] === 'version') {
    process.stdout.write(versionLine(buildInfo()));
    return true;
  }
  return false;
}
