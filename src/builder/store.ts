// The builder instance store, in the same on-disk format as Go buildx (cli.md §2), so both tools can
// share it: instances/<name> (NodeGroup JSON), current, defaults/<hash>, activity/<name>, all written
// atomically (temp file + rename) under an exclusive lock on .lock.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildxError } from '../util/errors.js';
import { acquireLock } from './store-lock.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { goHTMLEscape } from '../util/go-json.js';
import { compareGoStrings } from '../util/go-strings.js';
import { rfc3339Seconds } from '../util/go-time.js';

/** OCI platform object as Go's specs.Platform marshals it. */
export interface OCIPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** One node of a builder; field names and order are Go buildx's (store.Node). */
export interface StoredNode {
  Name: string;
  Endpoint: string;
  Platforms: OCIPlatform[] | null;
  DriverOpts: Record<string, string> | null;
  Flags: string[] | null;
  Files: Record<string, string> | null;
}

export interface NodeGroup {
  Name: string;
  Driver: string;
  Nodes: StoredNode[];
  Dynamic: boolean;
}

export interface CurrentSelection {
  Key: string;
  Name: string;
  Global: boolean;
}

const NAME_RE = /^[a-zA-Z][a-zA-Z0-9.\-_]*$/;

export function validateName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new BuildxError(`invalid name ${name}, name needs to start with a letter and may not contain symbols, except ._-`);
  }
}

export function validateBuilderName(name: string): void {
  validateName(name);
  if (name === 'default') throw new BuildxError('default is a reserved name and cannot be used to identify builder instance');
}

/** `defaults/<hash>`: the first 20 hex characters of sha256(endpoint key). */
export function defaultsKey(endpointKey: string): string {
  return createHash('sha256').update(endpointKey).digest('hex').slice(0, 20);
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Store files are private to the user, as Go buildx writes them. */
function writeAtomic(path: string, data: string): Promise<void> {
  return writeFileAtomic(path, data, 0o600);
}

/** A map as Go's encoding/json writes it: keys sorted bytewise. */
function goMap<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(m).sort(compareGoStrings).map((k) => [k, m[k]!]));
}

/**
 * Go marshals nil slices and maps as null, sorts map keys and escapes <, > and & (a kubernetes endpoint's
 * `&kubeconfig=`): kept, so files stay byte-compatible.
 */
export function marshalNodeGroup(ng: NodeGroup): string {
  return goHTMLEscape(marshalNodeGroupText(ng));
}

function marshalNodeGroupText(ng: NodeGroup): string {
  return JSON.stringify({
    Name: ng.Name,
    Driver: ng.Driver,
    Nodes: ng.Nodes.map((n) => ({
      Name: n.Name,
      Endpoint: n.Endpoint,
      Platforms: n.Platforms?.length ? n.Platforms : null,
      DriverOpts: n.DriverOpts && Object.keys(n.DriverOpts).length ? goMap(n.DriverOpts) : null,
      Flags: n.Flags?.length ? n.Flags : null,
      Files: n.Files && Object.keys(n.Files).length ? goMap(n.Files) : null,
    })),
    Dynamic: ng.Dynamic,
  });
}

function parseNodeGroup(text: string, file: string): NodeGroup {
  let raw: Partial<NodeGroup>;
  try {
    raw = JSON.parse(text) as Partial<NodeGroup>;
  } catch (err) {
    throw new BuildxError(`failed to load builder instance ${file}: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || typeof raw.Name !== 'string') {
    throw new BuildxError(`failed to load builder instance ${file}: not a builder instance`);
  }
  return {
    Name: raw.Name,
    Driver: raw.Driver ?? '',
    Dynamic: raw.Dynamic ?? false,
    Nodes: (raw.Nodes ?? []).map((n) => ({
      Name: n.Name, Endpoint: n.Endpoint, Platforms: n.Platforms ?? null,
      DriverOpts: n.DriverOpts ?? null, Flags: n.Flags ?? null, Files: n.Files ?? null,
    })),
  };
}

export class Store {
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<Store> {
    for (const d of ['instances', 'defaults', 'activity']) await mkdir(join(root, d), { recursive: true, mode: 0o700 });
    return new Store(root);
  }

  /** Runs `fn` holding the store lock, as Go buildx's store transactions do. */
  async txn<T>(fn: (tx: StoreTxn) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lock = await acquireLock(join(this.root, '.lock'), signal);
    try {
      return await fn(new StoreTxn(this.root));
    } finally {
      await lock.release();
    }
  }
}

export class StoreTxn {
  constructor(private readonly root: string) {}

  private instanceFile(name: string): string {
    return join(this.root, 'instances', name.toLowerCase());
  }

  /** Every instance, sorted by name; a corrupt one is reported, not fatal to the others. */
  async list(): Promise<{ groups: NodeGroup[]; errors: BuildxError[] }> {
    const groups: NodeGroup[] = [];
    const errors: BuildxError[] = [];
    for (const f of (await readdir(join(this.root, 'instances'))).filter((f) => !f.endsWith('.tmp'))) {
      try {
        groups.push(await this.node(f));
      } catch (err) {
        if (isNotFound((err as { cause?: unknown }).cause ?? err)) continue;
        errors.push(err as BuildxError);
      }
    }
    groups.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    return { groups, errors };
  }

  async node(name: string): Promise<NodeGroup> {
    validateName(name);
    const file = this.instanceFile(name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isNotFound(err)) throw new BuildxError(`failed to find instance "${name}": open ${file}: no such file or directory`, 1, { cause: err });
      throw err;
    }
    return parseNodeGroup(text, file);
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.node(name);
      return true;
    } catch (err) {
      if (isNotFound((err as { cause?: unknown }).cause)) return false;
      throw err;
    }
  }

  async save(ng: NodeGroup): Promise<void> {
    validateName(ng.Name);
    await writeAtomic(this.instanceFile(ng.Name), marshalNodeGroup(ng));
    await this.touchActivity(ng.Name);
  }

  async remove(name: string): Promise<void> {
    validateName(name);
    await rm(join(this.root, 'activity', name), { force: true });
    await rm(join(this.root, 'refs', name), { recursive: true, force: true });
    await rm(this.instanceFile(name), { force: true });
  }

  /** Build records of one node (`refs/<builder>/<node>`), dropped when the node leaves. */
  async removeNodeRefs(name: string, node: string): Promise<void> {
    await rm(join(this.root, 'refs', name, node), { recursive: true, force: true });
  }

  async touchActivity(name: string, when = new Date()): Promise<void> {
    await writeAtomic(join(this.root, 'activity', name), rfc3339Seconds(when));
  }

  async lastActivity(name: string): Promise<Date | undefined> {
    try {
      const d = new Date((await readFile(join(this.root, 'activity', name), 'utf8')).trim());
      return Number.isNaN(d.getTime()) ? undefined : d;
    } catch {
      return undefined;
    }
  }

  async readCurrent(): Promise<CurrentSelection | undefined> {
    try {
      const j = JSON.parse(await readFile(join(this.root, 'current'), 'utf8')) as Partial<CurrentSelection>;
      return { Key: j.Key ?? '', Name: j.Name ?? '', Global: j.Global ?? false };
    } catch {
      return undefined;
    }
  }

  async setCurrent(sel: CurrentSelection): Promise<void> {
    await writeAtomic(join(this.root, 'current'), JSON.stringify({ Key: sel.Key, Name: sel.Name, Global: sel.Global }));
  }

  async readDefault(endpointKey: string): Promise<string | undefined> {
    try {
      return (await readFile(join(this.root, 'defaults', defaultsKey(endpointKey)), 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  }

  async setDefault(endpointKey: string, name: string | undefined): Promise<void> {
    const file = join(this.root, 'defaults', defaultsKey(endpointKey));
    if (name === undefined) await rm(file, { force: true });
    else await writeAtomic(file, name);
  }
}
