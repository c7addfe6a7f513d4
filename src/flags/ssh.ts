// `--ssh default|<id>[=<socket>|<key>[,<key>…]]`. Not CSV: the part after `=` is split on plain commas.
import { cutEquals } from './csv.js';

export interface SSHSpec {
  id: string;
  /** Agent sockets or key files; empty means `$SSH_AUTH_SOCK`. */
  paths: string[];
}

export function parseSSH(value: string): SSHSpec {
  const [id, rest] = cutEquals(value);
  return { id, paths: rest === undefined ? [] : rest.split(',') };
}

export function parseSSHSpecs(values: readonly string[]): SSHSpec[] {
  return values.filter((v) => v !== '').map(parseSSH);
}

/**
 * `id[=p1,p2]`. buildx's printer quotes values with commas, which its own parser cannot read back;
 * this stays unquoted so parse(format(x)) is x.
 */
export function formatSSH(s: SSHSpec): string {
  return s.paths.length === 0 ? s.id : `${s.id}=${s.paths.join(',')}`;
}

/**
 * A context given as an ssh git URL gets the `default` agent when no `--ssh` was passed; the caller
 * decides whether the context is such a URL.
 */
export function withDefaultSSH(specs: readonly SSHSpec[], contextIsGitSSH: boolean): SSHSpec[] {
  return specs.length === 0 && contextIsGitSSH ? [{ id: 'default', paths: [] }] : [...specs];
}
