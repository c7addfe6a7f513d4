// `-o/--output` (cli.md §4.1.1). parseOutputs is the syntax buildx checks while reading flags;
// resolveOutputs is what it decides later (after the builder is known): client-side targets, --push/--load,
// the default output, tags, and the docker driver's exporter mapping.
import { cutEquals, formatPairs, setOwn, splitCSV } from './csv.js';
import { FlagError } from './flag-error.js';
import { parseGoBoolOptional } from '../util/go-strconv.js';
import { trimGoSpace } from '../util/go-strings.js';
import { parseTags } from './reference.js';

export interface ExportEntry {
  type: string;
  attrs: Record<string, string>;
  /** `dest=`; absent when not given or empty (buildx treats both the same). */
  destination?: string;
}

/** One `-o` value. `-o DIR` is a local export, `-o -` a tar on stdout. */
export function parseOutput(value: string): ExportEntry {
  const fields = splitCSV(value);
  if (fields.length === 1 && fields[0] === value && !value.startsWith('type=')) {
    return value === '-' ? { type: 'tar', attrs: {}, destination: '-' } : { type: 'local', attrs: {}, destination: value };
  }
  const entry: ExportEntry = { type: '', attrs: {} };
  let dest = '';
  for (const field of fields) {
    const [k, v] = cutEquals(field);
    if (v === undefined) throw new FlagError(`invalid value ${field}`);
    const key = trimGoSpace(k.toLowerCase());
    if (key === 'type') entry.type = v;
    else if (key === 'dest') dest = v;
    else setOwn(entry.attrs, key, v);
  }
  if (entry.type === '') throw new FlagError('type is required for output');
  if (dest !== '') entry.destination = dest;
  return entry;
}

/** Every `-o` occurrence in order; empty occurrences are skipped. */
export function parseOutputs(values: readonly string[]): ExportEntry[] {
  return values.filter((v) => v !== '').map(parseOutput);
}

/** `--iidfile` is refused up front when a local or tar output is requested. */
export function checkImageIdFile(entries: readonly ExportEntry[], iidfile: string | undefined): void {
  if (!iidfile) return;
  if (entries.some((e) => e.type === 'local' || e.type === 'tar')) {
    throw new FlagError('local and tar exporters are incompatible with image ID file');
  }
}

/** `type=…[,dest=…][,attrs sorted]`; parses back to the same entry. */
export function formatOutput(e: ExportEntry): string {
  const pairs: Array<[string, string]> = [];
  if (e.type) pairs.push(['type', e.type]);
  if (e.destination) pairs.push(['dest', e.destination]);
  return formatPairs(pairs, e.attrs);
}

// ---- resolution ---------------------------------------------------------------------------------------

export type BuildDriver = 'docker' | 'docker-container' | 'kubernetes' | 'remote';

export interface ResolveOutputsContext {
  /** `-t` values (validated here, as buildx does at this stage). */
  tags: readonly string[];
  push: boolean;
  load: boolean;
  driver: BuildDriver;
  stdoutIsTTY: boolean;
  /** The builder was created with `default-load=true`. */
  defaultLoad: boolean;
  /** BUILDX_NO_DEFAULT_LOAD is truthy. */
  noDefaultLoad: boolean;
  /** `--call` other than `build`: nothing is exported by default and no warning is due. */
  call?: boolean;
  /**
   * The Docker engine involved uses the containerd image store: the docker driver's own engine, or the
   * engine a `docker` output is loaded into. Unlocks oci/docker exporters on the docker driver and makes
   * loads go through the OCI importer.
   */
  containerdStore?: boolean;
  /**
   * The docker driver's own engine keeps images in containerd (its BuildKit worker says so): it then has
   * the oci and docker exporters and names built images by manifest digest.
   */
  driverContainerdStore?: boolean;
  /** More than one platform requested (the classic image store cannot load manifest lists). */
  multiPlatform?: boolean;
  /** Attestations will be produced (same restriction as multiPlatform). */
  attestations?: boolean;
  /** The daemon supports several exporters per solve (BuildKit ≥ v0.13). Default true. */
  multipleExporters?: boolean;
  /** `annotation…` exporter attrs from `--annotation`, added to every requested output. */
  annotationAttrs?: Readonly<Record<string, string>>;
  /** Lets the destination checks see the filesystem without this module touching it. */
  statPath?: (path: string) => 'dir' | 'file' | 'missing';
}

/** Where the client itself has to put the exporter's result. */
export type OutputTarget =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string }
  | { kind: 'stdout' }
  | { kind: 'docker-load'; context?: string }
  | { kind: 'none' };

export interface ResolvedOutput {
  /** Exporter type as sent to BuildKit (`image`, `moby`, `oci`, `docker`, `local`, `tar`, or verbatim). */
  type: string;
  attrs: Record<string, string>;
  target: OutputTarget;
}

export interface OutputPlan {
  /** Exporters to send, in order; `cacheonly` is never among them. */
  exports: ResolvedOutput[];
  /** A `cacheonly` output was given: nothing is exported and no default output was added. */
  cacheOnly: boolean;
  /** Complete line for stderr (`WARNING: …`) when the build result will only stay in the cache. */
  warning?: string;
}

const EXPORTERS_DOCS = 'https://docs.docker.com/go/build-exporters/';

/** buildx's driver-feature refusal; its three lines are kept as upstream prints them. */
export function notSupported(feature: string, driver: BuildDriver, docs = EXPORTERS_DOCS): FlagError {
  return new FlagError(
    `${feature} is not supported for the ${driver} driver.\n` +
      'Switch to a different driver, or turn on the containerd image store, and try again.\n' +
      `Learn more at ${docs}`,
  );
}

interface Working {
  type: string;
  attrs: Record<string, string>;
  target: OutputTarget;
  /** A `docker` output without a destination: loaded into an engine. */
  load: boolean;
}

/** The per-entry step: exporter kind, destination and stdout checks. */
function createExports(entries: readonly ExportEntry[], ctx: ResolveOutputsContext): Working[] {
  const out: Working[] = [];
  let stdoutUsed = false;
  for (const entry of entries) {
    if (entry.type === '') throw new FlagError('type is required for output');
    const w: Working = { type: entry.type, attrs: { ...entry.attrs }, target: { kind: 'none' }, load: false };
    let dest = entry.destination ?? '';
    let supportFile = false;
    let supportDir = false;
    switch (w.type) {
      case 'local':
        supportDir = true;
        break;
      case 'tar':
        supportFile = true;
        break;
      case 'oci':
      case 'docker': {
        const tar = parseGoBoolOptional(w.attrs['tar'] ?? '') ?? true;
        supportFile = tar;
        supportDir = !tar;
        break;
      }
      case 'registry':
        w.type = 'image';
        w.attrs['push'] = 'true';
        // Pushing only: skip unpacking into the image store unless asked.
        if (!Object.hasOwn(w.attrs, 'unpack')) w.attrs['unpack'] = 'false';
        break;
    }
    if (supportDir) {
      if (dest === '') throw new FlagError(`dest is required for ${w.type} exporter`);
      if (dest === '-') throw new FlagError(`dest cannot be stdout for ${w.type} exporter`);
      if (ctx.statPath?.(dest) === 'file') throw new FlagError(`destination directory ${dest} is a file`);
      w.target = { kind: 'dir', path: dest };
    }
    if (supportFile) {
      if (dest === '' && w.type !== 'docker') dest = '-';
      if (dest === '-') {
        if (stdoutUsed) throw new FlagError('multiple outputs configured to write to stdout');
        if (ctx.stdoutIsTTY) throw new FlagError(`dest file is required for ${w.type} exporter. refusing to write to console`);
        w.target = { kind: 'stdout' };
        stdoutUsed = true;
      } else if (dest !== '') {
        if (ctx.statPath?.(dest) === 'dir') throw new FlagError(`destination file ${dest} is a directory`);
        w.target = { kind: 'file', path: dest };
      } else {
        w.load = true;
      }
    }
    out.push(w);
  }
  return out;
}

function applyPushLoad(outputs: Working[], ctx: ResolveOutputsContext): void {
  if (ctx.push) {
    const images = outputs.filter((o) => o.type === 'image');
    for (const o of images) {
      o.attrs['push'] = 'true';
      if (!Object.hasOwn(o.attrs, 'unpack')) o.attrs['unpack'] = 'false';
    }
    if (images.length === 0) outputs.push({ type: 'image', attrs: { push: 'true', unpack: 'false' }, target: { kind: 'none' }, load: false });
  }
  // buildx means "unless a docker output without dest exists", but its check looks for `dest` among the
  // attrs, where it never is: any docker output, even one written to a file, suppresses the extra load.
  if (ctx.load && !outputs.some((o) => o.type === 'docker')) {
    outputs.push({ type: 'docker', attrs: {}, target: { kind: 'none' }, load: true });
  }
}

function noOutputWarning(driver: BuildDriver): string {
  return (
    `WARNING: No output specified with ${driver} driver. Build result will only remain in the build cache. ` +
    'To push result image into registry use --push or to load image into docker use --load'
  );
}

/**
 * Turns parsed `-o` entries plus --push/--load/-t into the exporters of the solve request and what the
 * client must do with each result, throwing buildx's messages in buildx's order.
 */
export function resolveOutputs(entries: readonly ExportEntry[], ctx: ResolveOutputsContext): OutputPlan {
  const outputs = createExports(entries, ctx);
  applyPushLoad(outputs, ctx);
  for (const o of outputs) {
    for (const [k, v] of Object.entries(ctx.annotationAttrs ?? {})) setOwn(o.attrs, k, v);
  }

  const isDocker = ctx.driver === 'docker';
  let warning: string | undefined;
  if (outputs.length === 0 && !ctx.noDefaultLoad && !ctx.call) {
    // The docker driver always yields an image in its engine; others only when created with default-load.
    if (isDocker) outputs.push({ type: 'image', attrs: {}, target: { kind: 'none' }, load: false });
    else if (ctx.defaultLoad) outputs.push({ type: 'docker', attrs: {}, target: { kind: 'none' }, load: true });
    else warning = noOutputWarning(ctx.driver);
  }
  if (outputs.length > 1 && ctx.multipleExporters === false) {
    throw new FlagError(
      'multiple outputs currently unsupported by the current BuildKit daemon, please upgrade to version v0.13+ or use a single output',
    );
  }

  if (ctx.tags.length > 0) {
    const name = parseTags(ctx.tags).join(',');
    for (const o of outputs) {
      if (o.type === 'image' || o.type === 'oci' || o.type === 'docker') o.attrs['name'] = name;
    }
  } else {
    for (const o of outputs) {
      if (o.type === 'image' && !o.attrs['name'] && parseGoBoolOptional(o.attrs['push'] ?? '') === true) {
        throw new FlagError('tag is needed when pushing to registry');
      }
    }
  }

  const cacheOnly = outputs.some((o) => o.type === 'cacheonly');
  const exports: ResolvedOutput[] = [];
  for (const o of outputs) {
    if (o.type === 'cacheonly') continue;
    exports.push(mapForDriver(o, ctx));
  }
  const plan: OutputPlan = { exports, cacheOnly };
  if (warning !== undefined) plan.warning = warning;
  return plan;
}

/** Driver-specific exporter choice; mirrors buildx's per-node checks. */
function mapForDriver(o: Working, ctx: ResolveOutputsContext): ResolvedOutput {
  const isDocker = ctx.driver === 'docker';
  const containerd = ctx.containerdStore === true;
  let type = o.type;
  const attrs = { ...o.attrs };
  let target = o.target;

  const driverStore = isDocker && ctx.driverContainerdStore === true;
  if (type === 'oci' && isDocker && !driverStore) throw notSupported('OCI exporter', ctx.driver);
  if (type === 'docker') {
    if (o.load && containerd) {
      // The engine's OCI importer takes multi-platform images; prefer it.
      type = 'oci';
    } else if (ctx.multiPlatform || ctx.attestations) {
      throw new FlagError(
        o.load
          ? 'docker exporter does not currently support exporting manifest lists'
          : 'docker exporter does not support exporting manifest lists, use the oci exporter instead',
      );
    }
    if (o.load) {
      if (isDocker) {
        type = 'image'; // loaded straight into the driver's own engine, see below
      } else {
        const context = attrs['context'];
        target = context === undefined ? { kind: 'docker-load' } : { kind: 'docker-load', context };
        if (containerd) attrs['prefer-image-digest'] = 'true';
      }
    } else if (isDocker && !driverStore) {
      throw notSupported('Docker exporter', ctx.driver);
    }
  }
  if (type === 'image' && isDocker) {
    type = 'moby';
    // The containerd store resolves images by manifest digest rather than config digest.
    if (driverStore) attrs['prefer-image-digest'] = 'true';
    if (parseGoBoolOptional(attrs['push'] ?? '') === true && parseGoBoolOptional(attrs['push-by-digest'] ?? '') === true) {
      throw new FlagError('push-by-digest is currently not implemented for docker driver, please create a new builder instance');
    }
  }
  return { type, attrs, target };
}
