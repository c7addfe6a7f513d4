// The naming rules of an OCI layout's index.json, shared by everything that reads or writes one (build
// outputs, the local cache, imagetools): entries are named by `io.containerd.image.name` or
// `org.opencontainers.image.ref.name`, and an entry added under a name replaces the one it names
// (BuildKit's ociindex.Put).

export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

interface Entry {
  annotations?: Record<string, string>;
}

/** The entry a tag names: an image name first, then a reference name. */
export function findTagged<D extends Entry>(manifests: readonly D[], tag: string): D | undefined {
  return manifests.find((m) => m.annotations?.[IMAGE_NAME_ANNOTATION] === tag)
    ?? manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
}

/** `manifests` with `incoming` appended; each named one first drops the entry of the same ref and image name. */
export function withEntries<D extends Entry>(manifests: readonly D[], incoming: readonly D[]): D[] {
  let out = [...manifests];
  for (const desc of incoming) {
    const ref = desc.annotations?.[REF_NAME_ANNOTATION];
    if (ref !== undefined) {
      const img = desc.annotations?.[IMAGE_NAME_ANNOTATION] ?? '';
      out = out.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== ref || (m.annotations?.[IMAGE_NAME_ANNOTATION] ?? '') !== img);
    }
    out.push(desc);
  }
  return out;
}
