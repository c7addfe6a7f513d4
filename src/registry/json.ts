// Descriptors, platforms and indexes re-encoded as Go marshals image-spec's structs: fields in struct
// order, empty optional fields left out, annotation maps sorted, HTML characters escaped.
import { goEncodeJSON, goIndent } from '../util/go-json.js';
import type { Descriptor, Index, Platform } from './types.js';

function annotations(a: Record<string, string> | undefined): Map<string, string> | undefined {
  return a && Object.keys(a).length ? new Map(Object.entries(a)) : undefined;
}

export function platformValue(p: Platform): Record<string, unknown> {
  const v: Record<string, unknown> = { architecture: p.architecture ?? '', os: p.os ?? '' };
  if (p['os.version']) v['os.version'] = p['os.version'];
  if (p['os.features']?.length) v['os.features'] = p['os.features'];
  if (p.variant) v.variant = p.variant;
  return v;
}

export function descriptorValue(d: Descriptor): Record<string, unknown> {
  const v: Record<string, unknown> = { mediaType: d.mediaType ?? '', digest: d.digest ?? '', size: d.size ?? 0 };
  if (d.urls?.length) v.urls = d.urls;
  const a = annotations(d.annotations);
  if (a) v.annotations = a;
  if (d.data) v.data = d.data;
  if (d.platform) v.platform = platformValue(d.platform);
  if (d.artifactType) v.artifactType = d.artifactType;
  return v;
}

export function indexValue(i: Index): Record<string, unknown> {
  const v: Record<string, unknown> = { schemaVersion: i.schemaVersion };
  if (i.mediaType) v.mediaType = i.mediaType;
  if (i.artifactType) v.artifactType = i.artifactType;
  v.manifests = (i.manifests ?? []).map(descriptorValue);
  if (i.subject) v.subject = descriptorValue(i.subject);
  const a = annotations(i.annotations);
  if (a) v.annotations = a;
  return v;
}

/** json.Marshal. */
export function goMarshal(v: unknown): string {
  return goEncodeJSON(v, { escapeHTML: true });
}

/** json.MarshalIndent(v, "", "  "). */
export function goMarshalIndent(v: unknown): string {
  return goIndent(goMarshal(v), '', '  ');
}
