// `create --buildkitd-config`: what buildx v0.36.1 stores for a buildkitd.toml (util/confutil
// LoadConfigFiles). The document is re-encoded the way go-toml writes it; registry CA and key-pair
// files it names are read into the node's Files as `certs/<registry>/<basename>` and the document
// is rewritten to point at their place in the container, /etc/buildkit/certs/<registry>/<basename>.
// Errors carry buildx's texts, and come at the same points of `create` (see create.ts); TOML syntax
// errors are worded by the parser (smol-toml), with the file, line and column.
import { open, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { BuildxError } from '../util/errors.js';
import { goErrnoText } from '../util/go-errno.js';
import { parseToml } from '../util/toml-parse.js';
import { encodeGoToml } from '../util/toml-encode.js';
import { TomlError, TomlFloat, isTable, type TomlTable, type TomlValue } from '../util/toml-value.js';

/** Where drivers put the stored files inside the container. */
export const BUILDKIT_CONFIG_DIR = '/etc/buildkit';

/** buildx reads at most this much of each file, silently. */
const READ_LIMIT = 1024 * 1024;

/**
 * Stored files, base64. An empty document is stored as "" where Go writes null (a nil byte slice):
 * the store's Files type has no null, and both mean an empty file to every reader.
 */
export type NodeFiles = Record<string, string>;

/** A file's first MiB, with Go's error texts (`open X: …`, `read X: is a directory`). */
async function readLimited(path: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new Error(`open ${path}: ${goErrnoText(err)}`, { cause: err });
  }
  try {
    const buf = Buffer.alloc(READ_LIMIT);
    let n = 0;
    while (n < READ_LIMIT) {
      const { bytesRead } = await fh.read(buf, n, READ_LIMIT - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } catch (err) {
    throw new Error(`read ${path}: ${goErrnoText(err)}`, { cause: err });
  } finally {
    await fh.close();
  }
}

/** Go's filepath.Base. */
function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's path.Join: cleaned, no trailing slash. */
function goJoin(...parts: string[]): string {
  const joined = posix.normalize(parts.filter(Boolean).join('/'));
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** Registry names become directory names: runs of anything but [a-zA-Z0-9.-] turn into `_`. */
export function certsDir(registry: string): string {
  return goJoin('certs', registry.replace(/[^a-zA-Z0-9.-]+/g, '_'));
}

// The typed view BuildKit's own loader takes of the document, for the fields buildx uses. go-toml
// matches struct fields exactly first, then ignoring case.
function field(t: TomlTable, name: string): TomlValue | undefined {
  if (t.has(name)) return t.get(name);
  for (const [k, v] of t) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

function kind(v: TomlValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint') return 'integer';
  if (Array.isArray(v)) return 'array';
  if (isTable(v)) return 'table';
  return v instanceof TomlFloat ? 'float' : 'datetime';
}

function typeError(v: TomlValue, field: string, type: string): never {
  throw new TomlError(`toml: cannot decode TOML ${kind(v)} into struct field ${field} of type ${type}`);
}

function stringList(v: TomlValue | undefined, fieldName: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) typeError(v, fieldName, '[]string');
  return v.map((x) => (typeof x === 'string' ? x : typeError(x, fieldName, '[]string')));
}

function optionalString(v: TomlValue | undefined, fieldName: string): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : typeError(v, fieldName, 'string');
}

interface RegistryCerts {
  ca: string[];
  keyPairs: { key: string; cert: string }[];
}

interface TypedConfig {
  entitlements: string[];
  registries: Map<string, RegistryCerts>;
}

/** Top-level scalar fields of BuildKit's Config, so a mistyped one fails as it does in buildx. */
const SCALARS: [string, string, 'string' | 'boolean'][] = [
  ['debug', 'Debug', 'boolean'], ['trace', 'Trace', 'boolean'], ['root', 'Root', 'string'],
  ['proxyNetwork', 'ProxyNetwork', 'boolean'], ['provenanceEnvDir', 'ProvenanceEnvDir', 'string'],
];

function typedConfig(doc: TomlTable): TypedConfig {
  for (const [key, name, type] of SCALARS) {
    const v = field(doc, key);
    if (v !== undefined && typeof v !== type) typeError(v, `config.Config.${name}`, type === 'boolean' ? 'bool' : 'string');
  }
  const entitlements = stringList(field(doc, 'insecure-entitlements'), 'config.Config.Entitlements');
  const registries = new Map<string, RegistryCerts>();
  const reg = field(doc, 'registry');
  if (reg !== undefined && !isTable(reg)) typeError(reg, 'config.Config.Registries', 'map[string]config.RegistryConfig');
  for (const [name, rc] of reg ?? []) {
    if (!isTable(rc)) typeError(rc, 'config.Config.Registries', 'map[string]config.RegistryConfig');
    const kp = field(rc, 'keypair');
    if (kp !== undefined && !Array.isArray(kp)) typeError(kp, 'config.RegistryConfig.KeyPairs', '[]config.TLSKeyPair');
    registries.set(name, {
      ca: stringList(field(rc, 'ca'), 'config.RegistryConfig.RootCAs'),
      keyPairs: (kp ?? []).map((p) => {
        if (!isTable(p)) typeError(p, 'config.RegistryConfig.KeyPairs', 'config.TLSKeyPair');
        return { key: optionalString(field(p, 'key'), 'config.TLSKeyPair.Key'), cert: optionalString(field(p, 'cert'), 'config.TLSKeyPair.Certificate') };
      }),
    });
  }
  return { entitlements, registries };
}

function parse(data: Buffer, name?: string): TomlTable {
  return parseToml(data.toString('utf8'), name);
}

/**
 * BuildKit's LoadFile as `create` first uses it, for `insecure-entitlements`: a missing file counts
 * as empty here (the missing-file error comes later, from loadConfigFiles).
 */
export async function readConfigEntitlements(path: string): Promise<string[]> {
  let data: Buffer;
  try {
    data = await readLimited(path);
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') return [];
    if ((err as Error).message.startsWith('read ')) throw new BuildxError(`failed to parse config: toml: ${(err as Error).message}`, 1, { cause: err });
    throw new BuildxError(`failed to load config from ${path}: ${(err as Error).message}`, 1, { cause: err });
  }
  try {
    return typedConfig(parse(data, path)).entitlements;
  } catch (err) {
    if (err instanceof TomlError) throw new BuildxError(`failed to parse config: ${err.message}`, 1, { cause: err });
    throw err;
  }
}

async function readCert(path: string, what: string): Promise<Buffer> {
  try {
    return await readLimited(path);
  } catch (err) {
    throw new BuildxError(`failed to read ${what} file: ${path}: ${(err as Error).message}`, 1, { cause: err });
  }
}

/** The node's Files for a config file (LoadConfigFiles), keys sorted as Go's JSON writes them. */
export async function loadConfigFiles(path: string): Promise<NodeFiles> {
  try {
    await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = `stat ${path}: ${goErrnoText(err)}`;
    if (code === 'ENOENT') throw new BuildxError(`buildkit configuration file not found: ${path}: ${why}`, 1, { cause: err });
    throw new BuildxError(`invalid buildkit configuration file: ${path}: ${why}`, 1, { cause: err });
  }
  let data: Buffer;
  try {
    data = await readLimited(path);
  } catch (err) {
    throw new BuildxError(`failed to read buildkit configuration file: ${path}: ${(err as Error).message}`, 1, { cause: err });
  }
  let doc: TomlTable;
  let typed: TypedConfig;
  try {
    doc = parse(data);
    typed = typedConfig(doc);
  } catch (err) {
    if (err instanceof TomlError) throw new BuildxError(`failed to load buildkit configuration file: ${path}: failed to parse config: ${err.message}`, 1, { cause: err });
    throw err;
  }

  const files = new Map<string, Buffer>();
  const rawRegistry = doc.get('registry');
  const hadRegistry = isTable(rawRegistry);
  const registry: TomlTable = hadRegistry ? rawRegistry : new Map();
  for (const [name, certs] of typed.registries) {
    const out = registry.get(name);
    if (!isTable(out)) throw new BuildxError(`invalid registry config for ${JSON.stringify(name)}`);
    const dir = certsDir(name);
    const place = async (file: string, what: string): Promise<string> => {
      const rel = goJoin(dir, goBase(file));
      files.set(rel, await readCert(file, what));
      return goJoin(BUILDKIT_CONFIG_DIR, rel);
    };
    if (certs.ca.length) {
      const cas: string[] = [];
      for (const ca of certs.ca) cas.push(await place(ca, 'CA'));
      out.set('ca', cas);
    }
    if (certs.keyPairs.length) {
      const pairs: TomlTable[] = [];
      for (const kp of certs.keyPairs) {
        const entry: TomlTable = new Map();
        if (kp.key) entry.set('key', await place(kp.key, 'key'));
        if (kp.cert) entry.set('cert', await place(kp.cert, 'cert'));
        pairs.push(entry);
      }
      out.set('keypair', pairs);
    }
  }
  if (hadRegistry || registry.size > 0) doc.set('registry', registry);

  const toml = encodeGoToml(doc);
  const result: NodeFiles = { 'buildkitd.toml': Buffer.from(toml).toString('base64') };
  for (const key of [...files.keys()].sort()) result[key] = files.get(key)!.toString('base64');
  return sortFiles(result);
}

function sortFiles(files: NodeFiles): NodeFiles {
  const out: NodeFiles = {};
  for (const k of Object.keys(files).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) out[k] = files[k]!;
  return out;
}

/** `create --node` on an existing node adds the new files to those it has (Go's maps.Copy). */
export function mergeNodeFiles(existing: NodeFiles | null | undefined, added: NodeFiles): NodeFiles {
  return sortFiles({ ...(existing ?? {}), ...added });
}
