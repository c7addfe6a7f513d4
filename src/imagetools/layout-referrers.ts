// Referrers in an OCI layout, as buildx keeps them. A layout has no referrers API, so a manifest whose
// subject is not reachable from a named root (a signature of an attestation manifest, say) gets an
// index.json entry of its own, annotated with the subject's digest. Reading looks in both places;
// writing happens when a copy into the layout is published, adding only what the roots do not reach.
import { NotFoundError } from '../registry/errors.js';
import type { OCILayoutStore } from '../registry/oci-layout.js';
import { MediaType, type Descriptor, type Index, type Manifest } from '../registry/types.js';

export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const SUBJECT_ANNOTATION = 'io.containerd.manifest.subject';

function isSubjectEntry(d: Descriptor): boolean {
  return !!d.annotations?.[SUBJECT_ANNOTATION];
}

async function readJSON<T>(store: OCILayoutStore, d: Descriptor): Promise<T> {
  return JSON.parse((await store.read(d)).toString()) as T;
}

/** Appends `more` to `list`, skipping digests already there. */
function mergeUnique(list: Descriptor[], more: Descriptor[]): Descriptor[] {
  const seen = new Set(list.map((d) => d.digest));
  const out = [...list];
  for (const d of more) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    out.push(d);
  }
  return out;
}

/** Referrers copied into layouts and not yet written to their index.json, by layout path, then subject. */
export class PendingReferrers {
  private readonly byPath = new Map<string, Map<string, Descriptor[]>>();

  record(path: string, subject: string, descs: Descriptor[]): void {
    if (descs.length === 0) return;
    let bySubject = this.byPath.get(path);
    if (!bySubject) {
      bySubject = new Map();
      this.byPath.set(path, bySubject);
    }
    bySubject.set(subject, mergeUnique(bySubject.get(subject) ?? [], descs));
  }

  /** What is pending for `path`, which is then no longer pending. */
  take(path: string): Map<string, Descriptor[]> {
    const out = this.byPath.get(path) ?? new Map<string, Descriptor[]>();
    this.byPath.delete(path);
    return out;
  }
}

/**
 * Manifests in the layout naming `subject`: those reachable from the named roots that point at it (by
 * the attestation annotation or their `subject` field), and index.json entries recorded for it.
 * NotFoundError when there are none; `artifactTypes`, when given, filters the result.
 */
export async function findLayoutReferrers(store: OCILayoutStore, subject: string, artifactTypes: string[] = []): Promise<Descriptor[]> {
  const top = (await store.readIndex()).manifests ?? [];
  const found = new Map<string, Descriptor>();
  const seen = new Set<string>();
  const visit = async (d: Descriptor): Promise<void> => {
    if (seen.has(d.digest)) return;
    seen.add(d.digest);
    if (d.annotations?.[REFERENCE_DIGEST] === subject) found.set(d.digest, d);
    if (d.mediaType === MediaType.ociIndex) {
      for (const child of (await readJSON<Index>(store, d)).manifests ?? []) await visit(child);
    } else if (d.mediaType === MediaType.ociManifest) {
      if ((await readJSON<Manifest>(store, d)).subject?.digest === subject) found.set(d.digest, d);
    }
  };
  for (const d of top) if (!isSubjectEntry(d)) await visit(d);
  for (const d of top) if (d.annotations?.[SUBJECT_ANNOTATION] === subject) found.set(d.digest, d);
  if (found.size === 0) throw new NotFoundError('not found');
  const all = [...found.values()];
  return artifactTypes.length ? all.filter((d) => artifactTypes.includes(d.artifactType ?? '')) : all;
}

/** Digests of the layout's named roots and of everything their OCI indexes list, however deep. */
async function reachableFromRoots(store: OCILayoutStore, top: Descriptor[]): Promise<Set<string>> {
  const reached = new Set<string>();
  const visit = async (d: Descriptor): Promise<void> => {
    if (isSubjectEntry(d) || reached.has(d.digest)) return;
    reached.add(d.digest);
    if (d.mediaType !== MediaType.ociIndex) return;
    for (const child of (await readJSON<Index>(store, d)).manifests ?? []) await visit(child);
  };
  for (const d of top) await visit(d);
  return reached;
}

/**
 * Gives each pending referrer the roots do not reach an unnamed index.json entry carrying its
 * subject's digest (an annotation it already has is kept).
 */
export async function writePendingReferrers(store: OCILayoutStore, pending: Map<string, Descriptor[]>): Promise<void> {
  if (pending.size === 0) return;
  const reached = await reachableFromRoots(store, (await store.readIndex()).manifests ?? []);
  for (const [subject, descs] of pending) {
    for (const d of descs) {
      if (reached.has(d.digest)) continue;
      const annotations = { ...d.annotations };
      if (!annotations[SUBJECT_ANNOTATION]) annotations[SUBJECT_ANNOTATION] = subject;
      await store.put({ ...d, annotations });
    }
  }
}
