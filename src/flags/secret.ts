// `--secret` (cli.md §4.1.3): `id=…,src=…|env=…[,type=file|env]`.
import { cutEquals, formatPairs, splitCSV } from './csv.js';
import { FlagError } from './flag-error.js';
import { goQuote } from '../util/go-strconv.js';
import type { Env } from './keyvalue.js';

export interface Secret {
  id: string;
  /** File to read; absent when unset (Go's empty string). */
  src?: string;
  /** Environment variable to read; absent when unset. */
  env?: string;
}

export function parseSecret(value: string): Secret {
  let fields: string[];
  try {
    fields = splitCSV(value);
  } catch (err) {
    throw new FlagError(`failed to parse csv secret: ${(err as Error).message}`);
  }
  let id = '';
  let src = '';
  let env = '';
  let type = '';
  for (const field of fields) {
    const [k, v] = cutEquals(field);
    const key = k.toLowerCase();
    if (v === undefined) throw new FlagError(`invalid field '${field}' must be a key=value pair`);
    switch (key) {
      case 'type':
        if (v !== 'file' && v !== 'env') throw new FlagError(`unsupported secret type ${goQuote(v)}`);
        type = v;
        break;
      case 'id':
        id = v;
        break;
      case 'source':
      case 'src':
        src = v;
        break;
      case 'env':
        env = v;
        break;
      default:
        throw new FlagError(`unexpected key '${key}' in '${field}'`);
    }
  }
  // With type=env, `src` names the variable (docs: `--secret id=X,src=VAR,type=env`).
  if (type === 'env' && env === '') [env, src] = [src, ''];
  const s: Secret = { id };
  if (src) s.src = src;
  if (env) s.env = env;
  return s;
}

export function parseSecrets(values: readonly string[]): Secret[] {
  return values.filter((v) => v !== '').map(parseSecret);
}

/** `id=…[,src=…][,env=…]`; the inverse of {@link parseSecret}. */
export function formatSecret(s: Secret): string {
  const pairs: Array<[string, string]> = [];
  if (s.id) pairs.push(['id', s.id]);
  if (s.src) pairs.push(['src', s.src]);
  if (s.env) pairs.push(['env', s.env]);
  return formatPairs(pairs);
}

/**
 * With neither `src` nor `env`, the secret reads env var `<id>` when it exists, else file `<id>`.
 */
export function resolveSecretSource(s: Secret, env: Env): Secret {
  if (s.src || s.env) return { ...s };
  return Object.hasOwn(env, s.id) && env[s.id] !== undefined ? { id: s.id, env: s.id } : { id: s.id, src: s.id };
}
