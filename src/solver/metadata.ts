// The --metadata-file contract (cli.md §4.1.5): exporter response values base64-decoded, embedded as
// JSON when they decode to a non-empty object or array; 2-space indent, sorted keys.

export type MetadataValue = null | boolean | number | string | MetadataValue[] | { [k: string]: MetadataValue };

function decodeValue(value: string): MetadataValue {
  const isB64 = /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0 && value.length > 0;
  if (!isB64) return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  try {
    const j = JSON.parse(decoded) as MetadataValue;
    if (j !== null && typeof j === 'object' && (Array.isArray(j) ? j.length > 0 : Object.keys(j).length > 0)) return j;
  } catch {
    // not JSON: keep the original string
  }
  return value;
}

function sorted(v: MetadataValue): MetadataValue {
  if (Array.isArray(v)) return v.map(sorted);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, MetadataValue>)[k]!)]));
  }
  return v;
}

/** What --metadata-file holds: exporter response keys (`containerimage.digest`, …) and buildx's own (`buildx.build.ref`). */
export type BuildMetadata = Record<string, MetadataValue>;

export function buildMetadata(exporterResponse: Record<string, string>, extra: Record<string, string> = {}): BuildMetadata {
  const out: Record<string, MetadataValue> = {};
  for (const [k, v] of Object.entries(exporterResponse)) out[k] = k === 'result.json' ? v : decodeValue(v);
  for (const [k, v] of Object.entries(extra)) out[k] = v;
  return sorted(out) as Record<string, MetadataValue>;
}

/** Go's json.MarshalIndent escapes <, > and & — keep the same bytes. */
function goJSON(v: MetadataValue): string {
  return JSON.stringify(v, null, 2).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** The --metadata-file bytes for `metadata`, as buildx writes them. */
export function metadataFileText(metadata: BuildMetadata): string {
  return goJSON(metadata);
}
