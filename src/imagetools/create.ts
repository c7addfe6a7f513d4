// `imagetools create` as buildx runs it: sources (descriptor JSON from files, then arguments, then the
// first tag for --append) resolved in their repositories, combined, filtered by platform, and either
// printed (--dry-run) or copied into every target repository and pushed to each tag.
import { validateDigest } from '../flags/reference.js';
import { parseLocation, type Location } from '../registry/location.js';
import type { Descriptor, Platform } from '../registry/types.js';
import { goQuote } from '../util/go-strconv.js';
import type { DescWithSource, Source } from './combine.js';
import type { ImageTools } from './image-tools.js';

export interface CreateRequest {
  /** Contents of `-f` files, then the positional sources. */
  sources: string[];
  tags: string[];
  annotations: Record<string, string>;
  platforms: Platform[];
  append?: boolean;
  preferIndex?: boolean;
}

export interface PlannedCreate {
  tags: Location[];
  sources: Source[];
  /** Every repository involved, tags' first, sorted (the metadata file's image.name). */
  repoNames: string[];
  hasRefs: boolean;
}

interface ParsedSource {
  ref?: Location;
  desc: Partial<Descriptor> & { digest?: string };
}

function validateDescriptor(d: Partial<Descriptor>, schemaVersion: number): void {
  if (schemaVersion !== 0) throw new Error(`expected an OCI content descriptor, got a manifest or index (schemaVersion ${schemaVersion})`);
  if (!d.digest) throw new Error('invalid descriptor: digest is required');
  try {
    validateDigest(d.digest);
  } catch (err) {
    throw new Error(`invalid descriptor digest: ${(err as Error).message}`);
  }
}

function parseSource(s: string): ParsedSource {
  try {
    validateDigest(s);
    return { desc: { digest: s } };
  } catch (err) {
    if (s.startsWith('sha256')) throw err;
  }
  try {
    return { ref: parseLocation(s), desc: {} };
  } catch (err) {
    if (!s.startsWith('{')) throw err;
  }
  let parsed: Partial<Descriptor> & { schemaVersion?: number };
  try {
    parsed = JSON.parse(s) as typeof parsed;
  } catch (err) {
    throw new Error((err as Error).message);
  }
  const { schemaVersion = 0, ...desc } = parsed;
  validateDescriptor(desc, schemaVersion);
  return { desc };
}

function mergeDesc(d1: Descriptor, d2: Partial<Descriptor>): Descriptor {
  if (d2.size && d1.size !== d2.size) throw new Error(`invalid size mismatch for ${d1.digest}, ${d2.size} != ${d1.size}`);
  const out = { ...d1 };
  if (d2.mediaType) out.mediaType = d2.mediaType;
  if (d2.annotations && Object.keys(d2.annotations).length) out.annotations = d2.annotations;
  if (d2.platform) out.platform = d2.platform;
  return out;
}

/** Checks the request and resolves every source; nothing is written. */
/** `tools` is called once the request is known to be well-formed (buildx loads the builder only then). */
export async function planCreate(tools: () => Promise<ImageTools>, req: CreateRequest, dryRun: boolean): Promise<PlannedCreate> {
  if (req.sources.length === 0) throw new Error('no sources specified');
  if (!dryRun && req.tags.length === 0) throw new Error("can't push with no tags specified, please set --tag or --dry-run");
  const tags = req.tags.map(parseLocation);
  const args = req.append && req.tags.length ? [req.tags[0]!, ...req.sources] : [...req.sources];
  const parsed = args.map((a) => {
    try {
      return parseSource(a);
    } catch (err) {
      throw new Error(`failed to parse source ${goQuote(a)}, valid sources are digests, references and descriptors: ${(err as Error).message}`);
    }
  });
  const repos = new Set(tags.map((t) => t.name()));
  const repoNames = [...repos].sort();
  let hasRefs = false;
  for (const s of parsed) if (s.ref) {
    repos.add(s.ref.name());
    hasRefs = true;
  }
  if (repos.size === 0) throw new Error('no repositories specified, please set a reference in tag or source');
  let defaultRepo: Location | undefined;
  if (repos.size === 1) defaultRepo = parsed.find((s) => s.ref)?.ref ?? tags[0];
  parsed.forEach((s, i) => {
    if (s.ref) return;
    if (!defaultRepo) throw new Error(`multiple repositories specified, cannot infer repository for ${goQuote(args[i]!)}`);
    if (!s.desc.mediaType && s.desc.digest) {
      s.ref = defaultRepo.withDigest(s.desc.digest);
      hasRefs = true;
    } else s.ref = defaultRepo.tagNameOnly();
  });
  const it = await tools();
  const sources: Source[] = await Promise.all(parsed.map(async (s) => {
    const ref = s.ref!;
    if (!hasRefs) return { ref, desc: s.desc as Descriptor };
    const resolved = await it.resolve(ref);
    return { ref, desc: s.desc.digest ? mergeDesc(resolved, s.desc) : resolved };
  }));
  return { tags, sources, repoNames, hasRefs };
}

export interface CreateProgress {
  /** One vertex per target repository, `pushing <repo>`, with the log lines buildx writes. */
  step<T>(name: string, fn: (log: (line: string) => void) => Promise<T>): Promise<T>;
}

/** Copies the result's manifests into each target repository, then pushes the index to its tags. */
export async function pushCreated(it: ImageTools, plan: PlannedCreate, bytes: Buffer, desc: Descriptor, manifests: DescWithSource[] | undefined, progress: CreateProgress): Promise<void> {
  const list = manifests ?? [{ desc, source: plan.sources[0]! }];
  const byRepo = new Map<string, Location[]>();
  for (const t of plan.tags) byRepo.set(t.name(), [...(byRepo.get(t.name()) ?? []), t]);
  await Promise.all([...byRepo].map(([repo, repoTags]) => progress.step(`pushing ${repo}`, async (log) => {
    const seed = repoTags[0]!;
    const ing = it.ingester(seed);
    await Promise.all(list.map(async (m) => {
      log(`copying ${m.desc.digest} from ${m.source.ref.toString()} to ${repo}\n`);
      try {
        await it.copy({ ref: m.source.ref, desc: m.desc }, seed, ing);
      } catch (err) {
        throw new Error(`copy ${m.desc.digest} from ${m.source.ref.toString()} to ${seed.toString()}: ${(err as Error).message}`, { cause: err });
      }
    }));
    for (const t of repoTags) {
      log(`pushing ${desc.digest} to ${t.toString()}\n`);
      try {
        await it.pushManifest(t, desc, bytes);
      } catch (err) {
        throw new Error(`publish ${desc.digest} to ${t.toString()}: ${(err as Error).message}`, { cause: err });
      }
    }
  })));
}
