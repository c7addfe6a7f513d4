// `--annotation` values for imagetools create, parsed as buildx's ParseAnnotations
// (`[type[platform],…:]key=value`), and keyed as BuildKit's AnnotationKey.String() spells them
// (`annotation-index.k`, `annotation-manifest-descriptor[linux/amd64].k`): the form combine() takes.
import { formatPlatform as formatAll } from '../flags/platform.js';
import { goQuote } from '../util/go-strconv.js';
import { parseOCIPlatform, toFlagPlatform } from './platforms.js';
import type { Platform } from '../registry/types.js';

export type AnnotationType = '' | 'index' | 'index-descriptor' | 'manifest' | 'manifest-descriptor';

export interface AnnotationKey {
  type: AnnotationType;
  platform?: Platform;
  key: string;
}

const TYPES: ReadonlySet<string> = new Set(['index', 'index-descriptor', 'manifest', 'manifest-descriptor']);
const TYPE_RE = /^([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?$/;
const KEY_RE = /^annotation(?:-([a-z-]+))?(?:\[([A-Za-z0-9_/-]+)\])?\.(\S+)$/;

export function annotationKeyString(k: AnnotationKey): string {
  let prefix = 'annotation';
  if (k.type === 'manifest' || k.type === 'manifest-descriptor') {
    prefix += `-${k.type}`;
    if (k.platform) prefix += `[${formatAll(toFlagPlatform(k.platform))}]`;
  } else if (k.type) prefix += `-${k.type}`;
  return `${prefix}.${k.key}`;
}

/** The inverse of annotationKeyString; a key without a type stays untyped. */
export function parseAnnotationKey(s: string): AnnotationKey {
  const m = KEY_RE.exec(s);
  if (!m) throw new Error(`invalid annotation key ${goQuote(s)}`);
  const type = (m[1] ?? '') as AnnotationType;
  if (type && !TYPES.has(type)) throw new Error(`unrecognized annotation type ${type}`);
  const out: AnnotationKey = { type, key: m[3]! };
  if (m[2]) out.platform = parseOCIPlatform(m[2]);
  return out;
}

/** buildx's ParseAnnotations; the result is keyed by annotationKeyString, later values winning. */
export function parseAnnotations(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const inp of values) {
    if (inp === '') continue;
    const eq = inp.indexOf('=');
    if (eq < 0) throw new Error(`invalid annotation ${goQuote(inp)}, expected key=value`);
    const k = inp.slice(0, eq);
    const v = inp.slice(eq + 1);
    const colon = k.indexOf(':');
    if (colon < 0) {
      out[annotationKeyString({ type: '', key: k })] = v;
      continue;
    }
    const key = k.slice(colon + 1);
    for (const tp of k.slice(0, colon).split(',')) {
      const m = TYPE_RE.exec(tp);
      if (!m) throw new Error(`invalid annotation type ${goQuote(tp)}, expected type and optional platform in square brackets`);
      if (!TYPES.has(m[1]!)) throw new Error(`unknown annotation type ${goQuote(m[1]!)}`);
      const ak: AnnotationKey = { type: m[1] as AnnotationType, key };
      if (m[2]) {
        try {
          ak.platform = parseOCIPlatform(m[2]);
        } catch (err) {
          throw new Error(`invalid platform ${goQuote(m[2])}: ${(err as Error).message}`);
        }
      }
      out[annotationKeyString(ak)] = v;
    }
  }
  return out;
}
