// `imagetools inspect` output as buildx prints it: the Name/MediaType/Digest table (with a Manifests
// section for indexes), the raw manifest bytes, or a Go template over `.Name`, `.Manifest`, `.Image`,
// `.SBOM` and `.Provenance` (maps by platform when the index holds several images).
import { GO_MARSHAL_JSON } from '../util/go-json.js';
import { parseGoTemplate, type GoFunc } from '../util/go-template.js';
import { tabwrite } from '../util/tabwriter.js';
import { descriptorValue, goMarshal, goMarshalIndent } from '../registry/json.js';
import { parseLocation, type Location } from '../registry/location.js';
import { isIndexType, type Descriptor, type Index } from '../registry/types.js';
import { imageValue } from './image-json.js';
import { load, type GoAny, type ProvenanceStub, type SBOMStub } from './loader.js';
import { formatPlatform } from './platforms.js';
import type { Resolver } from './resolver.js';

const TAB = { minWidth: 0, padding: 1 };
const PFX = '  ';

export interface Inspected {
  /** The name as given (templates print it so). */
  name: string;
  ref: Location;
  desc: Descriptor;
  raw: Buffer;
  index: Index;
}

/** Resolves and fetches the named manifest (NewPrinter). */
export async function inspectTarget(r: Resolver, name: string): Promise<Inspected> {
  const ref = parseLocation(name);
  const desc = await r.resolve(ref);
  const raw = await r.get(ref, desc);
  let index: Index;
  try {
    index = JSON.parse(raw.toString()) as Index;
  } catch (err) {
    throw new Error((err as Error).message);
  }
  return { name, ref, desc, raw, index };
}

function manifestTable(t: Inspected): string {
  const out = tabwrite(['Name:\t' + t.ref.toString(), 'MediaType:\t' + t.desc.mediaType, 'Digest:\t' + t.desc.digest], TAB);
  if (!isIndexType(t.desc.mediaType)) return out;
  let s = out + tabwrite(['\t', 'Manifests:\t'], TAB);
  const lines: string[] = [];
  const flush = () => {
    if (lines.length) s += tabwrite(lines.splice(0), TAB);
  };
  (t.index.manifests ?? []).forEach((m, i) => {
    if (i !== 0) lines.push('\t');
    let name = t.ref.toString();
    try {
      name = t.ref.withDigest(m.digest).toString();
    } catch { /* the digest is unusable: the bare name, as buildx prints it */ }
    lines.push(`${PFX}Name:\t${name}`, `${PFX}MediaType:\t${m.mediaType}`);
    const p = m.platform;
    if (!p) return;
    lines.push(`${PFX}Platform:\t${formatPlatform(p)}`);
    if (p['os.version']) lines.push(`${PFX}OSVersion:\t${p['os.version']}`);
    if (p['os.features']?.length) lines.push(`${PFX}OSFeatures:\t${p['os.features'].join(', ')}`);
    if (m.urls?.length) lines.push(`${PFX}URLs:\t${m.urls.join(', ')}`);
    const ann = Object.entries(m.annotations ?? {});
    if (ann.length) {
      lines.push(`${PFX}Annotations:\t`);
      flush();
      // Go ranges over the map in random order; sorted is the stable choice among them.
      s += tabwrite(ann.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${PFX}${PFX}${k}:\t${v}`), TAB);
    }
  });
  flush();
  return s;
}

/** A template value that walks by Go field names and marshals as its JSON form. */
function goValue<T extends object>(fields: T, json: () => string): T {
  Object.defineProperty(fields, GO_MARSHAL_JSON, { value: json, enumerable: false });
  return fields;
}

function imageTemplateValue(img: Record<string, unknown>): object {
  const v = imageValue(img);
  const rootfs = v.rootfs as { type: string; diff_ids: unknown };
  return goValue({
    Created: v.created, Author: v.author ?? '', Architecture: v.architecture, OS: v.os, OSVersion: v['os.version'] ?? '',
    OSFeatures: v['os.features'] ?? null, Variant: v.variant ?? '', Config: v.config,
    RootFS: { Type: rootfs.type, DiffIDs: rootfs.diff_ids }, History: v.history ?? null,
  }, () => goMarshal(v));
}

function stubValue(s: SBOMStub | ProvenanceStub): object {
  const json: Record<string, GoAny | GoAny[] | undefined> = { ...s };
  return goValue({ ...s }, () => goMarshal(json));
}

function manifestValue(t: Inspected): object {
  if (!isIndexType(t.desc.mediaType)) {
    const d = t.desc;
    return goValue({ MediaType: d.mediaType, Digest: d.digest, Size: d.size, URLs: d.urls ?? null, Annotations: d.annotations ?? null, Platform: d.platform ?? null, ArtifactType: d.artifactType ?? '' },
      () => goMarshal(descriptorValue(d)));
  }
  const json: Record<string, unknown> = { schemaVersion: t.index.schemaVersion ?? 0 };
  if (t.index.mediaType) json.mediaType = t.index.mediaType;
  json.digest = t.desc.digest;
  json.size = t.desc.size;
  json.manifests = (t.index.manifests ?? []).map(descriptorValue);
  if (t.index.annotations && Object.keys(t.index.annotations).length) json.annotations = new Map(Object.entries(t.index.annotations));
  return goValue({
    SchemaVersion: t.index.schemaVersion ?? 0, MediaType: t.index.mediaType ?? '', Digest: t.desc.digest, Size: t.desc.size,
    Manifests: t.index.manifests ?? [], Annotations: t.index.annotations ?? null,
  }, () => goMarshal(json));
}

function jsonFunc(v: unknown): string {
  if (v === undefined) return 'null';
  return goMarshalIndent(v);
}

const WHOLE_MANIFEST = /^\{\{\s*\.Manifest\s*\}\}$/;

/** The text `imagetools inspect` prints for `t`: raw bytes, the table, or the template's output. */
export async function printInspect(r: Resolver, t: Inspected, opts: { raw?: boolean; format?: string }): Promise<string | Buffer> {
  if (opts.raw) return t.raw;
  if (!opts.format) return manifestTable(t);
  const res = await load(r, parseLocation(t.name));
  const funcs: Record<string, GoFunc> = { json: (v) => jsonFunc(v) };
  const tpl = parseGoTemplate(opts.format, funcs);
  if (WHOLE_MANIFEST.test(opts.format.trim())) return manifestTable(t);
  const wants = (s: string) => opts.format!.includes(s);
  const [sbom, provenance] = await Promise.all([
    wants('SBOM') ? res.sbom().catch(() => new Map<string, SBOMStub>()) : new Map<string, SBOMStub>(),
    wants('Provenance') ? res.provenance().catch(() => new Map<string, ProvenanceStub>()) : new Map<string, ProvenanceStub>(),
  ]);
  const manifest = manifestValue(t);
  const images = new Map([...res.configs].map(([p, c]) => [p, imageTemplateValue(c)]));
  const nameJSON = t.name ? { name: t.name } : {};
  if (res.platforms.length > 1) {
    const input = {
      Name: t.name, Manifest: manifest, Image: images,
      SBOM: () => new Map([...sbom].map(([p, s]) => [p, stubValue(s)])),
      Provenance: () => new Map([...provenance].map(([p, s]) => [p, stubValue(s)])),
    };
    return tpl.execute(goValue(input, () => goMarshal({ ...nameJSON, manifest, ...(images.size ? { image: images } : {}) })));
  }
  const image = [...images.values()].at(-1) ?? null;
  const input = {
    Name: t.name, Manifest: manifest, Image: image,
    SBOM: () => stubValue([...sbom.values()][0] ?? {}),
    Provenance: () => stubValue([...provenance.values()][0] ?? {}),
  };
  return tpl.execute(goValue(input, () => goMarshal({ ...nameJSON, manifest, ...(image ? { image } : {}) })));
}
