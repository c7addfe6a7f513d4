// The end-of-build summary printed after the progress output in tty and plain modes: how long the build
// took, how much of it came from the cache, what the context upload cost, and what image came out.
//
// The step counts come from the same status stream the renderers read, through a SummaryRecorder that
// keeps a few flags per vertex and nothing else (no logs), so it can watch any build. The context figures
// come from the session's DiffCopy stats and the image from the exporter response, both handed in by the
// caller once the build is over.
import { formatBytes, formatFixed, nanosToSeconds } from './format.js';
import { isCanceledError } from './model.js';
import type { Nanos, SolveStatus } from './types.js';
import type { ProgressWriter } from './writer.js';
import { observeProgress } from './observe.js';

/** How the build's steps ended. `total` is the sum of the other four. */
export interface StepCounts {
  total: number;
  /** Executed and finished (not from the cache). */
  ran: number;
  cached: number;
  /** Finished with an error other than cancellation. */
  failed: number;
  /** Canceled, or still running when the build ended. */
  canceled: number;
}

/**
 * One DiffCopy upload as the session reports it (structurally the session's TransferRecord, restated so
 * the progress layer does not depend on the session code).
 */
export interface TransferInfo {
  dirName: string;
  stats: {
    files: number;
    filesSent: number;
    bytesSent: number;
    excluded: number;
    excludePatterns: number;
  };
}

/** An exporter of the solve, as sent (structurally the solver's ExportRequest). */
export interface ExportInfo {
  type: string;
  attrs: Readonly<Record<string, string>>;
}

export interface BuildSummaryInput {
  steps: StepCounts;
  /** Wall time of the build as the client saw it. */
  durationNs?: Nanos;
  /** Every DiffCopy upload of the build; only those of the `context` directory are summed. */
  transfers?: readonly TransferInfo[];
  exporterResponse?: Readonly<Record<string, string>>;
  /** The exporters requested: image names come from here when the response does not carry them. */
  exports?: readonly ExportInfo[];
}

export interface ContextSummary {
  /** Regular files the walk found (and announced to the daemon). */
  files: number;
  /** Files whose content the daemon asked for: fewer than `files` when it had the rest already. */
  filesSent: number;
  bytesSent: number;
  /** Entries the .dockerignore rules left out; a pruned directory counts once (see SendStats). */
  excluded: number;
  /** Whether exclude patterns (a .dockerignore) applied at all. */
  dockerignore: boolean;
}

export interface ImageSummary {
  /** Fully qualified names, as tagged. */
  names: string[];
  /** `containerimage.digest`: the image id on the docker driver, the manifest digest when pushed. */
  digest?: string;
}

export interface BuildSummary {
  durationNs?: Nanos;
  steps: StepCounts;
  /** Absent when the context did not come from a local directory (URL, tarball on stdin). */
  context?: ContextSummary;
  /** Absent when nothing named or identified an image (e.g. `--output type=local`). */
  image?: ImageSummary;
}

/** The DiffCopy directory name BuildKit's Dockerfile frontend uses for the build context. */
const CONTEXT_DIR = 'context';
/** Exporter types whose `name` attribute names an image. */
const IMAGE_EXPORTERS = new Set(['image', 'moby', 'docker', 'oci']);

export function buildSummary(input: BuildSummaryInput): BuildSummary {
  const summary: BuildSummary = { steps: input.steps };
  if (input.durationNs !== undefined) summary.durationNs = input.durationNs;
  const context = contextSummary(input.transfers ?? []);
  if (context) summary.context = context;
  const image = imageSummary(input.exporterResponse ?? {}, input.exports ?? []);
  if (image) summary.image = image;
  return summary;
}

/**
 * The uploads of the `context` directory. With a .dockerignore the frontend first fetches that file
 * alone (include patterns only), then the context with the rules as exclude patterns: then only the
 * uploads with exclude patterns count, so that the figures describe the context as the user sees it.
 * Without a .dockerignore every upload of `context` counts (the probe for it sent nothing).
 */
function contextSummary(transfers: readonly TransferInfo[]): ContextSummary | undefined {
  const all = transfers.filter((t) => t.dirName === CONTEXT_DIR);
  if (all.length === 0) return undefined;
  const filtered = all.filter((t) => t.stats.excludePatterns > 0);
  const counted = filtered.length > 0 ? filtered : all;
  const c: ContextSummary = { files: 0, filesSent: 0, bytesSent: 0, excluded: 0, dockerignore: filtered.length > 0 };
  for (const t of counted) {
    c.files += t.stats.files;
    c.filesSent += t.stats.filesSent;
    c.bytesSent += t.stats.bytesSent;
    c.excluded += t.stats.excluded;
  }
  return c;
}

function splitNames(list: string | undefined): string[] {
  return (list ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
}

function imageSummary(response: Readonly<Record<string, string>>, exports: readonly ExportInfo[]): ImageSummary | undefined {
  // Newer daemons report the names they exported; BuildKit v0.8 (dockerd 20.10) reports only the digest.
  let names = splitNames(response['image.name']);
  if (names.length === 0) {
    names = exports.filter((e) => IMAGE_EXPORTERS.has(e.type)).flatMap((e) => splitNames(e.attrs.name));
  }
  names = [...new Set(names)];
  const digest = response['containerimage.digest'] ?? response['containerimage.config.digest'];
  if (names.length === 0 && digest === undefined) return undefined;
  return digest === undefined ? { names } : { names, digest };
}

/** Vertices beyond this many are not tracked: a bound on memory whatever the daemon sends. */
const MAX_TRACKED_VERTICES = 100_000;

/**
 * Dockerfile steps are the vertices named `[n/m] …` or `[stage n/m] …` (with a platform in front for
 * multi-platform builds); `[internal] …`, `exporting to image` and the like are housekeeping.
 */
const STEP_NAME = /^\[(?:[^\]]* )?\d+\/\d+\] /;

interface Tracked {
  step: boolean;
  internal: boolean;
  started: boolean;
  completed: boolean;
  cached: boolean;
  error: string;
}

/**
 * Watches the status stream for the summary. Memory is a few fields per vertex digest, at most
 * MAX_TRACKED_VERTICES of them; logs and statuses are not kept.
 */
export class SummaryRecorder {
  private readonly vertices = new Map<string, Tracked>();
  private firstStart?: Nanos;
  private lastStop?: Nanos;

  write(ss: SolveStatus): void {
    for (const v of ss.vertexes) {
      let t = this.vertices.get(v.digest);
      if (!t) {
        if (this.vertices.size >= MAX_TRACKED_VERTICES) continue;
        t = { step: false, internal: false, started: false, completed: false, cached: false, error: '' };
        this.vertices.set(v.digest, t);
      }
      t.step = STEP_NAME.test(v.name);
      t.internal = v.name.startsWith('[internal]') || v.name.startsWith('[auth]');
      // A later record of a vertex that runs again replaces the outcome; one without a start time is
      // only a re-announcement and changes nothing.
      if (v.started === undefined) continue;
      t.started = true;
      t.completed = v.completed !== undefined;
      t.cached = v.cached;
      t.error = v.error ?? '';
      if (this.firstStart === undefined || v.started < this.firstStart) this.firstStart = v.started;
      if (v.completed !== undefined && (this.lastStop === undefined || v.completed > this.lastStop)) this.lastStop = v.completed;
    }
  }

  /**
   * Outcome of each step that started. When no vertex is a numbered Dockerfile step (another frontend),
   * every vertex but the `[internal]` ones counts.
   */
  steps(): StepCounts {
    const counts: StepCounts = { total: 0, ran: 0, cached: 0, failed: 0, canceled: 0 };
    let numbered = false;
    for (const t of this.vertices.values()) if (t.step && t.started) numbered = true;
    for (const t of this.vertices.values()) {
      if (!t.started || (numbered ? !t.step : t.internal)) continue;
      counts.total++;
      if (t.error !== '') {
        if (isCanceledError(t.error)) counts.canceled++;
        else counts.failed++;
      } else if (!t.completed) counts.canceled++;
      else if (t.cached) counts.cached++;
      else counts.ran++;
    }
    return counts;
  }

  /** Daemon time from the first vertex start to the last completion: the fallback for the duration. */
  span(): Nanos | undefined {
    if (this.firstStart === undefined || this.lastStop === undefined) return undefined;
    return this.lastStop - this.firstStart;
  }

  summary(extra: Omit<BuildSummaryInput, 'steps'> = {}): BuildSummary {
    return buildSummary({ ...extra, steps: this.steps(), durationNs: extra.durationNs ?? this.span() });
  }
}

/** A progress writer that also feeds every status to `recorder`; everything else goes to `writer`. */
export function recordSummary(writer: ProgressWriter, recorder: SummaryRecorder): ProgressWriter & { ready(): Promise<void> } {
  return observeProgress(writer, (ss) => recorder.write(ss));
}

export interface FormatSummaryOptions {
  /** ANSI colours: bold labels, failures red, cancellations yellow. */
  color?: boolean;
}

/** `1234567` → `1,234,567`: fixed, so that output does not depend on the locale. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `12.4s` below a minute, then `2m05s`, then `1h02m05s`. */
export function formatDuration(ns: Nanos): string {
  const secs = nanosToSeconds(ns < 0n ? 0n : ns);
  if (secs < 60) return `${formatFixed(secs, 1)}s`;
  const whole = Math.round(secs);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${s}s` : `${m}m${s}s`;
}

function cacheRatio(st: StepCounts): number {
  const r = Math.round((st.cached * 100) / st.total);
  if (r === 100 && st.cached < st.total) return 99;
  if (r === 0 && st.cached > 0) return 1;
  return r;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * The summary as text, one line per topic, each ending in `\n`:
 * ```
 * Summary: 12.4s · 9 steps: 5 ran, 4 cached (44% cache hits)
 * Context: 3,002 files (51.20MB) sent, 17 excluded by .dockerignore
 * Image:   docker.io/library/foo:latest sha256:…
 * ```
 * The cache-hit ratio is cached steps over all steps counted, rounded, except that it shows 100% only
 * when every step was cached and 0% only when none was.
 */
export function formatBuildSummary(s: BuildSummary, opts: FormatSummaryOptions = {}): string {
  const paint = (code: string, text: string): string => (opts.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const label = (text: string): string => paint('1', text);
  const lines: string[] = [];

  const head: string[] = [];
  if (s.durationNs !== undefined) head.push(formatDuration(s.durationNs));
  const st = s.steps;
  if (st.total === 0) head.push('no build steps');
  else {
    const parts = [`${formatCount(st.ran)} ran`, `${formatCount(st.cached)} cached`];
    if (st.failed > 0) parts.push(paint('31', `${formatCount(st.failed)} failed`));
    if (st.canceled > 0) parts.push(paint('33', `${formatCount(st.canceled)} canceled`));
    head.push(`${plural(st.total, 'step')}: ${parts.join(', ')} (${cacheRatio(st)}% cache hits)`);
  }
  lines.push(`${label('Summary:')} ${head.join(' · ')}`);

  const c = s.context;
  if (c) {
    const files = c.filesSent === c.files ? plural(c.files, 'file') : `${formatCount(c.filesSent)} of ${plural(c.files, 'file')}`;
    let text = `${files} (${formatBytes(c.bytesSent)}) sent`;
    if (c.dockerignore) text += `, ${formatCount(c.excluded)} excluded by .dockerignore`;
    lines.push(`${label('Context:')} ${text}`);
  }

  const img = s.image;
  if (img) {
    const text = [img.names.join(', '), img.digest ?? ''].filter((x) => x !== '').join(' ');
    lines.push(`${label('Image:')}   ${text}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
