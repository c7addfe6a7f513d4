// The builds the golden files record. Names say what each one exercises.
import type { SolveStatus } from '../../../src/progress/types.js';
import { batch, dg, log, ss, st, vtx, warn } from './streams.js';

export interface Scenario {
  description?: string;
  stream: SolveStatus[];
}

const DESC = 'building with "default" instance using docker driver';
const BUSYBOX = 'docker.io/library/busybox:latest@sha256:ba76950ac9eaa407512c9d859cea48114eeff8a6f12ebaa5d32ce79d4a017dd8';

const def = dg('load build definition');
const meta = dg('load metadata');
const ignore = dg('load .dockerignore');
const from = dg('FROM busybox');
const ctx = dg('load build context');
const run = dg('RUN echo hello');
const workdir = dg('WORKDIR /app');
const exp = dg('exporting to image');

/** FROM, a RUN with output, a WORKDIR, export: every vertex ends with DONE and its time. */
function sequentialBuild(): SolveStatus[] {
  return [
    vtx(def, '[internal] load build definition from Dockerfile', { started: 0 }),
    st(def, 'transferring dockerfile:', 12, { current: 74, started: 5 }),
    batch(
      st(def, 'transferring dockerfile:', 31, { current: 74, started: 5, completed: 30 }),
      vtx(def, '[internal] load build definition from Dockerfile', { started: 0, completed: 31 }),
    ),
    vtx(meta, '[internal] load metadata for docker.io/library/busybox:latest', { started: 40 }),
    vtx(meta, '[internal] load metadata for docker.io/library/busybox:latest', { started: 40, completed: 1240 }),
    vtx(ignore, '[internal] load .dockerignore', { started: 1250 }),
    batch(
      st(ignore, 'transferring context:', 1262, { current: 2, started: 1251, completed: 1262 }),
      vtx(ignore, '[internal] load .dockerignore', { started: 1250, completed: 1263 }),
    ),
    vtx(from, `[1/3] FROM ${BUSYBOX}`, { started: 1300 }),
    st(from, `resolve ${BUSYBOX}`, 1306, { started: 1301, completed: 1306 }),
    vtx(from, `[1/3] FROM ${BUSYBOX}`, { started: 1300, completed: 1350 }),
    vtx(run, '[2/3] RUN echo hello && sleep 1', { started: 1400, inputs: [from] }),
    log(run, 1553, 'hello\n'),
    vtx(run, '[2/3] RUN echo hello && sleep 1', { started: 1400, completed: 2662, inputs: [from] }),
    vtx(workdir, '[3/3] WORKDIR /app', { started: 2700, inputs: [run] }),
    vtx(workdir, '[3/3] WORKDIR /app', { started: 2700, completed: 2722, inputs: [run] }),
    vtx(exp, 'exporting to image', { started: 2730, inputs: [workdir] }),
    st(exp, 'exporting layers', 2731, { started: 2730 }),
    st(exp, 'exporting layers', 2980, { started: 2730, completed: 2980 }),
    st(exp, 'writing image sha256:3b1eb2a1a4ed9ea3b1b11bd5a88d4ed2aa1c0d5a83c0c8b7e3c98a6a1e4d7c33', 2995, { started: 2985, completed: 2995 }),
    st(exp, 'naming to docker.io/library/demo:latest', 3001, { started: 2996, completed: 3001 }),
    vtx(exp, 'exporting to image', { started: 2730, completed: 3002, inputs: [workdir] }),
  ];
}

/** A rebuild where every step comes from the cache: `#N CACHED` instead of DONE. */
function cachedSteps(): SolveStatus[] {
  return [
    vtx(def, '[internal] load build definition from Dockerfile', { started: 0 }),
    vtx(def, '[internal] load build definition from Dockerfile', { started: 0, completed: 20 }),
    vtx(meta, '[internal] load metadata for docker.io/library/busybox:latest', { started: 25 }),
    vtx(meta, '[internal] load metadata for docker.io/library/busybox:latest', { started: 25, completed: 610 }),
    vtx(ctx, '[internal] load build context', { started: 620 }),
    st(ctx, 'transferring context:', 640, { current: 1234, started: 621, completed: 640 }),
    vtx(ctx, '[internal] load build context', { started: 620, completed: 641 }),
    batch(
      vtx(from, `[1/3] FROM ${BUSYBOX}`, { started: 650 }),
      vtx(run, '[2/3] RUN echo hello && sleep 1', { cached: true, started: 650, completed: 650 }),
    ),
    st(from, `resolve ${BUSYBOX}`, 652, { started: 651, completed: 652 }),
    vtx(from, `[1/3] FROM ${BUSYBOX}`, { started: 650, completed: 653 }),
    vtx(workdir, '[3/3] WORKDIR /app', { cached: true, started: 654, completed: 654 }),
    vtx(exp, 'exporting to image', { started: 660 }),
    st(exp, 'exporting layers', 661, { started: 660, completed: 661 }),
    vtx(exp, 'exporting to image', { started: 660, completed: 670 }),
  ];
}

const stageA = dg('stage a');
const stageB = dg('stage b');

/**
 * Two stages printing in parallel for 30 s: the printer stays with one until the other has waited long
 * enough, then prints `#N ...` and switches, flushing what the other had queued.
 */
function parallelLogs(): SolveStatus[] {
  const out: SolveStatus[] = [
    vtx(stageA, '[stage-a 2/2] RUN for i in $(seq 30); do echo a$i; sleep 1; done', { started: 0 }),
    vtx(stageB, '[stage-b 2/2] RUN for i in $(seq 60); do echo b$i; sleep 0.5; done', { started: 5 }),
  ];
  for (let i = 1; i <= 60; i++) {
    const t = i * 500;
    if (i % 2 === 0) out.push(log(stageA, t + 3, `a${i / 2}\n`));
    out.push(log(stageB, t + 7, `b${i}\n`));
  }
  out.push(vtx(stageA, '[stage-a 2/2] RUN for i in $(seq 30); do echo a$i; sleep 1; done', { started: 0, completed: 30_100 }));
  out.push(vtx(stageB, '[stage-b 2/2] RUN for i in $(seq 60); do echo b$i; sleep 0.5; done', { started: 5, completed: 30_200 }));
  return out;
}

const partial = dg('partial lines');

/** Output chunks cut mid-line (and mid-character): continuations join the open line without a prefix. */
function partialLines(): SolveStatus[] {
  const cafe = Buffer.from('café au lait\n');
  return [
    vtx(partial, '[2/2] RUN ./progress.sh', { started: 0 }),
    log(partial, 153, 'hel'),
    log(partial, 260, 'lo\nwor'),
    log(partial, 371, 'ld\n\nprogress: 10%'),
    log(partial, 480, '...50%'),
    log(partial, 590, '...100%\n'),
    log(partial, 700, cafe.subarray(0, 4)), // ends inside the two bytes of é
    log(partial, 810, cafe.subarray(4)),
    log(partial, 12_050, 'late line without newline', 2),
    vtx(partial, '[2/2] RUN ./progress.sh', { started: 0, completed: 12_100 }),
  ];
}

const waiting = dg('partial then switch');
const chatty = dg('chatty sibling');

/**
 * A vertex leaves a line open and then loses the output to a sibling: the open line is ended, `#1 ...`
 * printed, and when it resumes the whole line is printed again with its prefix.
 */
function partialLineSwitch(): SolveStatus[] {
  const out: SolveStatus[] = [
    vtx(waiting, '[a 2/2] RUN ./fetch.sh', { started: 0 }),
    log(waiting, 100, 'downloading'),
    vtx(chatty, '[b 2/2] RUN ./build.sh', { started: 200 }),
  ];
  for (let t = 700; t <= 12_000; t += 500) out.push(log(chatty, t, `step ${t / 100}\n`));
  out.push(log(waiting, 12_500, '... done\n'));
  out.push(vtx(waiting, '[a 2/2] RUN ./fetch.sh', { started: 0, completed: 12_600 }));
  out.push(vtx(chatty, '[b 2/2] RUN ./build.sh', { started: 200, completed: 12_700 }));
  return out;
}

const glued = dg('status after partial');

/**
 * A status row arriving while a log line is open. BuildKit would glue the row onto the open line; we end
 * the line first and print the rest of it again with its prefix, as after a switch.
 */
function partialLineThenStatus(): SolveStatus[] {
  return [
    vtx(glued, '[2/2] ADD https://example.com/a.tgz /', { started: 0 }),
    log(glued, 100, 'connecting'),
    st(glued, 'https://example.com/a.tgz', 200, { current: 1500, total: 3000, started: 150 }),
    log(glued, 300, '... connected\n'),
    st(glued, 'https://example.com/a.tgz', 400, { current: 3000, total: 3000, started: 150, completed: 400 }),
    vtx(glued, '[2/2] ADD https://example.com/a.tgz /', { started: 0, completed: 410 }),
  ];
}

const pull = dg('FROM alpine');
const layer1 = 'sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8';
const layer2 = 'sha256:d7a9e3e7e4a7cbb1ea1a3b1f0e8a1e1c4e2a3b5c6d7e8f9a0b1c2d3e4f5a6b7c';
const ALPINE = 'docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b';

/** Pulling a base image: per-layer rows with `current / total` sizes, elapsed time and `done`. */
function imagePullSizes(): SolveStatus[] {
  const out: SolveStatus[] = [
    vtx(pull, `[1/2] FROM ${ALPINE}`, { started: 0 }),
    st(pull, `resolve ${ALPINE}`, 10, { started: 1, completed: 10 }),
    batch(
      st(pull, layer1, 110, { current: 0, total: 4_560_000, started: 100 }),
      st(pull, layer2, 110, { current: 0, total: 512, started: 100 }),
    ),
  ];
  // 1.23 MB per 100 ms on layer1: every update is above 5 % of the total, so each one prints
  for (let i = 1; i <= 3; i++) out.push(st(pull, layer1, 100 + i * 100, { current: i * 1_230_000, total: 4_560_000, started: 100 }));
  out.push(st(pull, layer2, 180, { current: 512, total: 512, started: 100, completed: 180 }));
  out.push(st(pull, layer1, 480, { current: 4_560_000, total: 4_560_000, started: 100, completed: 480 }));
  out.push(st(pull, `extracting ${layer1}`, 700, { started: 490 }));
  out.push(st(pull, `extracting ${layer1}`, 702, { started: 490, completed: 702 }));
  out.push(vtx(pull, `[1/2] FROM ${ALPINE}`, { started: 0, completed: 710 }));
  return out;
}

const failing = dg('failing run');
const sibling = dg('sibling run');
const FAIL_ERR = 'process "/bin/sh -c ./test.sh" did not complete successfully: exit code: 1';

/** A RUN that logs 14 lines and fails while a sibling is cancelled: ERROR line, then the error block. */
function failingRun(): SolveStatus[] {
  const out: SolveStatus[] = [
    vtx(failing, '[test 2/2] RUN ./test.sh', { started: 0 }),
    vtx(sibling, '[build 2/2] RUN make all', { started: 2 }),
  ];
  for (let i = 1; i <= 14; i++) out.push(log(failing, i * 120, `ok ${i} - case ${i}\n`));
  out.push(log(failing, 1800, 'not ok 15 - expected <1> & got <2>\n', 2));
  out.push(batch(
    vtx(failing, '[test 2/2] RUN ./test.sh', { started: 0, completed: 1850, error: FAIL_ERR }),
    vtx(sibling, '[build 2/2] RUN make all', { started: 2, completed: 1851, error: 'context canceled' }),
  ));
  return out;
}

const slow = dg('slow run');

/** Ctrl-C during a step: the daemon ends it with a context-canceled error, shown as CANCELED, no block. */
function canceledVertex(): SolveStatus[] {
  return [
    vtx(slow, '[2/2] RUN sleep 100', { started: 0 }),
    log(slow, 300, 'sleeping\n'),
    vtx(slow, '[2/2] RUN sleep 100', {
      started: 0,
      completed: 4321,
      error: 'failed to run process: rpc error: code = Canceled desc = context canceled',
    }),
  ];
}

/** A lint warning from the Dockerfile frontend, shown inside the block of the vertex it belongs to. */
function lintWarning(): SolveStatus[] {
  const dockerfile = Buffer.from('FROM busybox as base\nRUN echo hi\n');
  return [
    vtx(def, '[internal] load build definition from Dockerfile', { started: 0 }),
    st(def, 'transferring dockerfile:', 8, { current: 61, started: 2, completed: 8 }),
    batch(
      warn(def, "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)", {
        detail: [Buffer.from("'as' and 'FROM' keywords' casing do not match")],
        url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
        sourceInfo: { filename: 'Dockerfile', data: dockerfile, language: 'Dockerfile' },
        ranges: [{ start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }],
      }),
      vtx(def, '[internal] load build definition from Dockerfile', { started: 0, completed: 9 }),
    ),
    vtx(from, `[1/2] FROM ${BUSYBOX}`, { started: 20 }),
    vtx(from, `[1/2] FROM ${BUSYBOX}`, { started: 20, completed: 30 }),
  ];
}

const copyLink = { id: 'copy-link-3', name: '[3/3] COPY --link --from=build /out /usr/local/bin', weak: false };
const copyLinkWeak = { ...copyLink, weak: true };
const hiddenGroup = { id: 'prepare-only', name: 'never shown: only weak members ran', weak: true };
const m1 = dg('merge member copy');
const m2 = dg('merge member merge');
const m3 = dg('weak only member');
const after = dg('after group');

/**
 * Members of a progress group fold into one vertex named after the group; a group whose only started
 * members are weak stays hidden.
 */
function progressGroups(): SolveStatus[] {
  return [
    vtx(m3, 'prepare (weak)', { started: 0, group: hiddenGroup }),
    vtx(m2, 'merging', { started: 10, group: copyLinkWeak }),
    vtx(m3, 'prepare (weak)', { started: 0, completed: 40, group: hiddenGroup }),
    vtx(m1, 'copy /out /usr/local/bin', { started: 50, group: copyLink }),
    log(m1, 75, 'copied 3 files\n'),
    vtx(m1, 'copy /out /usr/local/bin', { started: 50, completed: 320, group: copyLink }),
    vtx(m2, 'merging', { started: 10, completed: 450, group: copyLinkWeak }),
    vtx(after, 'exporting to image', { started: 460 }),
    vtx(after, 'exporting to image', { started: 460, completed: 500 }),
  ];
}

const dl = dg('download');

/**
 * An unfinished status row is reprinted only after 5 % more of its total or 5 s; the final row and
 * rows without a previous print always print.
 */
function statusThrottling(): SolveStatus[] {
  const id = 'https://example.com/big.tar.gz';
  const total = 100_000_000;
  const row = (ms: number, pct: number, completed?: number) =>
    st(dl, id, ms, { current: (total * pct) / 100, total, started: 0, completed });
  return [
    vtx(dl, `[2/3] ADD ${id} /big.tar.gz`, { started: 0 }),
    row(100, 1), // first print
    row(200, 3), // +2 %: suppressed
    row(300, 5.9), // +4.9 % since the last print: suppressed
    row(400, 6), // +5 %: printed
    row(500, 7), // suppressed
    row(5500, 8), // 5.1 s since the last print: printed
    row(5600, 9), // suppressed
    row(5700, 9.5, 5700), // completed: always printed
    vtx(dl, `[2/3] ADD ${id} /big.tar.gz`, { started: 0, completed: 5710 }),
  ];
}

export const scenarios: Record<string, Scenario> = {
  'sequential-build': { description: DESC, stream: sequentialBuild() },
  'cached-steps': { description: DESC, stream: cachedSteps() },
  'parallel-logs': { stream: parallelLogs() },
  'partial-lines': { stream: partialLines() },
  'partial-line-switch': { stream: partialLineSwitch() },
  'partial-line-then-status': { stream: partialLineThenStatus() },
  'image-pull-sizes': { stream: imagePullSizes() },
  'failing-run': { description: DESC, stream: failingRun() },
  'canceled-vertex': { stream: canceledVertex() },
  'lint-warning': { description: DESC, stream: lintWarning() },
  'progress-groups': { stream: progressGroups() },
  'status-throttling': { stream: statusThrottling() },
};

/** A stream where nothing has started yet: no output at all, not even the preamble. */
export const nothingStarted: SolveStatus[] = [ss({ vertexes: [{ digest: dg('x'), inputs: [], name: 'x', cached: false }] })];
