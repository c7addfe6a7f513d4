// "Where did the build time go": a solve status stream turned into a timeline picture (SVG or HTML).
// The model is in timeline-model.ts, the lane and critical-path rules in timeline-layout.ts, the
// pictures in timeline-svg.ts and timeline-html.ts; this module reads saved `--progress=rawjson` output.
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { BuildxError } from '../util/errors.js';
import { errnoCode, goStrerror } from '../util/go-errno.js';
import { decodeRawJSON } from './rawjson.js';
import { TimelineRecorder, type Timeline } from './timeline-model.js';

export { buildTimeline, TimelineRecorder } from './timeline-model.js';
export type { BarLabel, StepState, Timeline, TimelineBar, TimelineCounts, TimelineStep } from './timeline-model.js';
export { renderTimelineSVG, type TimelineOptions } from './timeline-svg.js';
export { renderTimelineHTML } from './timeline-html.js';

/** A rawjson stream that is not what `--progress=rawjson` writes. */
export class RawJSONLineError extends BuildxError {
  constructor(readonly line: number, readonly problem: string) {
    super(`line ${line} ${problem}`);
  }
}

function excerpt(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}

/**
 * The timeline of a saved `--progress=rawjson` stream, read line by line: only vertex timing is kept,
 * so a capture full of logs needs no more memory than its steps. Blank lines are skipped; anything
 * else that is not a JSON object fails with the line's number.
 */
export async function timelineFromRawJSON(lines: AsyncIterable<string>): Promise<Timeline> {
  const rec = new TimelineRecorder();
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    // decodeRawJSON reads any JSON leniently; a capture must hold one object per line.
    if (!line.trimStart().startsWith('{')) throw new RawJSONLineError(n, `is not a JSON object: ${excerpt(line)}`);
    let ss;
    try {
      ss = decodeRawJSON(line);
    } catch (err) {
      if (err instanceof SyntaxError) throw new RawJSONLineError(n, `is not valid JSON: ${excerpt(line)}`);
      throw new RawJSONLineError(n, `is not a solve status (${(err as Error).message}): ${excerpt(line)}`);
    }
    rec.write(ss);
  }
  return rec.timeline();
}

/** Splits a byte or text stream into lines (without `\n`), decoding UTF-8 across chunk boundaries. */
export async function* splitLines(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}

/** The timeline of a rawjson file; every error names the file (and the line, for bad content). */
export async function readTimelineFile(path: string): Promise<Timeline> {
  try {
    return await timelineFromRawJSON(splitLines(createReadStream(path)));
  } catch (err) {
    if (err instanceof RawJSONLineError) throw new BuildxError(`${path}: ${err.message}`, 1, { cause: err });
    // The file is opened, then read: Go names the step that failed.
    const code = errnoCode(err);
    const op = code === 'ENOENT' || code === 'EACCES' ? 'open' : 'read';
    throw new BuildxError(`${op} ${path}: ${goStrerror(code) ?? (err as Error).message}`, 1, { cause: err });
  }
}

export type TimelineFormat = 'svg' | 'html';

/** The picture format an output file name asks for, by its extension. */
export function timelineFormatFor(path: string): TimelineFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new BuildxError(`unsupported timeline output ${JSON.stringify(path)}: the file name must end in .svg or .html`);
}
