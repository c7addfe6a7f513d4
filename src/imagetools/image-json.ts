// An image config re-encoded as Go marshals image-spec's Image struct (what `{{json .Image}}` prints):
// known fields in struct order, unknown ones dropped, maps with sorted keys.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** time.Time's MarshalJSON after a parse: RFC 3339 with the fraction's trailing zeros dropped. */
function goTime(s: string): string {
  return s.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_m, keep: string) => (keep ? `.${keep}` : ''));
}

function strs(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length ? v.map(String) : undefined;
}

function set(v: unknown): Map<string, Obj> | undefined {
  return isObj(v) && Object.keys(v).length ? new Map(Object.keys(v).map((k) => [k, {}])) : undefined;
}

function config(c: unknown): Obj {
  const o = isObj(c) ? c : {};
  const out: Obj = {};
  if (o.User) out.User = o.User;
  const ports = set(o.ExposedPorts);
  if (ports) out.ExposedPorts = ports;
  if (strs(o.Env)) out.Env = strs(o.Env);
  if (strs(o.Entrypoint)) out.Entrypoint = strs(o.Entrypoint);
  if (strs(o.Cmd)) out.Cmd = strs(o.Cmd);
  const vols = set(o.Volumes);
  if (vols) out.Volumes = vols;
  if (o.WorkingDir) out.WorkingDir = o.WorkingDir;
  if (isObj(o.Labels) && Object.keys(o.Labels).length) out.Labels = new Map(Object.entries(o.Labels as Record<string, string>));
  if (o.StopSignal) out.StopSignal = o.StopSignal;
  if (o.ArgsEscaped) out.ArgsEscaped = true;
  return out;
}

function history(h: unknown): Obj {
  const o = isObj(h) ? h : {};
  const out: Obj = {};
  if (typeof o.created === 'string') out.created = goTime(o.created);
  if (o.created_by) out.created_by = o.created_by;
  if (o.author) out.author = o.author;
  if (o.comment) out.comment = o.comment;
  if (o.empty_layer) out.empty_layer = true;
  return out;
}

/** The JSON value of an image config, in Go's field order. */
export function imageValue(img: Obj): Obj {
  const out: Obj = {};
  if (typeof img.created === 'string') out.created = goTime(img.created);
  if (img.author) out.author = img.author;
  out.architecture = img.architecture ?? '';
  out.os = img.os ?? '';
  if (img['os.version']) out['os.version'] = img['os.version'];
  if (strs(img['os.features'])) out['os.features'] = strs(img['os.features']);
  if (img.variant) out.variant = img.variant;
  out.config = config(img.config);
  const rootfs = isObj(img.rootfs) ? img.rootfs : {};
  out.rootfs = { type: rootfs.type ?? '', diff_ids: Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : null };
  if (Array.isArray(img.history) && img.history.length) out.history = img.history.map(history);
  return out;
}
