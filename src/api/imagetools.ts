// `imagetools` for programs: inspect an image in a registry or OCI layout, and create an index from
// existing manifests, with the registry settings of a builder's buildkitd config.
import { resolveBuilder, type Builder } from '../builder/builder.js';
import { registryConfigOf } from '../builder/registry-config.js';
import { ImageTools, parseAnnotations, parseOCIPlatform, type Descriptor, type RegistryOptions } from '../imagetools/index.js';
import { planCreate, pushCreated } from '../imagetools/create.js';
import { inspectTarget, printInspect } from '../imagetools/printer.js';
import { withVertex } from '../progress/vertex.js';
import { discardProgress, type ProgressWriter } from '../progress/writer.js';
import { goQuote } from '../util/go-strconv.js';
import { descriptorValue, goMarshalIndent } from '../registry/json.js';

export interface ImagetoolsOptions {
  /** A builder name, a resolved builder, or the current one: whose registry settings apply. */
  builder?: string | Builder;
  env?: NodeJS.ProcessEnv;
  dockerConfigDir?: string;
  signal?: AbortSignal;
}

async function registryOptions(opts: ImagetoolsOptions): Promise<RegistryOptions> {
  const env = opts.env ?? process.env;
  const b = typeof opts.builder === 'object' ? opts.builder : await resolveBuilder({ name: opts.builder, env, skipValidation: true });
  return { env, dockerConfigDir: opts.dockerConfigDir, registryConfig: registryConfigOf(b), signal: opts.signal };
}

export interface InspectImageOptions extends ImagetoolsOptions {
  /** Go template over .Name, .Manifest, .Image, .SBOM, .Provenance. */
  format?: string;
  /** The manifest bytes as stored. */
  raw?: boolean;
}

/** What `imagetools inspect NAME` prints (bytes for --raw, which has no trailing newline). */
export async function inspectImage(name: string, opts: InspectImageOptions = {}): Promise<string | Buffer> {
  if (opts.format && opts.raw) throw new Error('format and raw cannot be used together');
  const it = new ImageTools(await registryOptions(opts));
  return printInspect(it.resolver, await inspectTarget(it.resolver, name), { raw: opts.raw, format: opts.format });
}

export interface CreateImageOptions extends ImagetoolsOptions {
  /** Sources: descriptor JSON texts (`-f` files' contents) first, then references and digests. */
  sources: string[];
  tags?: string[];
  /** `--annotation` values. */
  annotations?: string[];
  /** `--platform` values (comma-separated lists allowed). */
  platforms?: string[];
  append?: boolean;
  dryRun?: boolean;
  /** Default true. */
  preferIndex?: boolean;
  /** Receives the `pushing <repo>` steps. */
  progress?: ProgressWriter;
}

export interface CreateImageResult {
  bytes: Buffer;
  desc: Descriptor;
  /** The repositories pushed to, sorted and comma-joined (metadata `image.name`). */
  imageName: string;
}

function platformsOf(values: readonly string[]) {
  return values.flatMap((v) => v.split(',')).map((p) => {
    try {
      return parseOCIPlatform(p);
    } catch (err) {
      throw new Error(`invalid platform ${goQuote(p)}: ${(err as Error).message}`);
    }
  });
}

/** `imagetools create`: combines the sources; pushes to every tag unless dryRun. Nothing is written on a bad input. */
export async function createImage(opts: CreateImageOptions): Promise<CreateImageResult> {
  const progress = opts.progress ?? discardProgress;
  let failure: unknown;
  try {
    const platforms = platformsOf(opts.platforms ?? []);
    let ropts: RegistryOptions | undefined;
    let it: ImageTools | undefined;
    const tools = async () => {
      ropts = await registryOptions(opts);
      it = new ImageTools(ropts);
      return it;
    };
    const plan = await planCreate(tools, { sources: opts.sources, tags: opts.tags ?? [], annotations: {}, platforms, append: opts.append }, Boolean(opts.dryRun));
    let annotations: Record<string, string>;
    try {
      annotations = parseAnnotations(opts.annotations ?? []);
    } catch (err) {
      throw new Error(`failed to parse annotations: ${(err as Error).message}`);
    }
    it ??= await tools();
    const res = await it.combine(plan.sources, annotations, opts.preferIndex ?? true, platforms);
    const result = { bytes: res.bytes, desc: res.desc, imageName: plan.repoNames.join(',') };
    if (opts.dryRun) return result;
    // A fresh resolver for the push, as buildx makes one: tokens with push scope are fetched anew.
    const pusher = new ImageTools(ropts!);
    await pushCreated(pusher, plan, res.bytes, res.desc, res.manifests, {
      step: (name, fn) => withVertex(progress, `[internal] ${name}`, (sub) => fn((line) => sub.log(1, line)), { signal: opts.signal }),
    });
    return result;
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    await progress.close(failure);
  }
}

/** The `--metadata-file` of `imagetools create`: the index descriptor and the repositories, indented as buildx writes it. */
export function imageCreateMetadataText(res: CreateImageResult): string {
  return goMarshalIndent(new Map<string, unknown>([['containerimage.descriptor', descriptorValue(res.desc)], ['image.name', res.imageName]]));
}
