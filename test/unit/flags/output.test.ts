// Rows marked "Go" hold values produced by the Go packages buildx vendors, kept here as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkImageIdFile, formatOutput, parseOutput, parseOutputs, resolveOutputs,
  type ExportEntry, type OutputPlan, type ResolveOutputsContext,
} from '../../../src/flags/output.js';
import { FlagError } from '../../../src/flags/flag-error.js';

interface Parsed { type: string; attrs: Record<string, string>; dest: string; string: string }
interface Case { in: string; out?: Parsed; err?: string }

// Go: buildflags.ParseExports (buildx v0.38.2) and ExportEntry.String().
const PARSE: Case[] = [
  {"in": "out", "out": {"attrs": {}, "dest": "out", "string": "type=local,dest=out", "type": "local"}},
  {"in": "-", "out": {"attrs": {}, "dest": "-", "string": "type=tar,dest=-", "type": "tar"}},
  {"in": "type=local,dest=out", "out": {"attrs": {}, "dest": "out", "string": "type=local,dest=out", "type": "local"}},
  {"in": "type=tar", "out": {"attrs": {}, "dest": "", "string": "type=tar", "type": "tar"}},
  {"in": "type=tar,dest=-", "out": {"attrs": {}, "dest": "-", "string": "type=tar,dest=-", "type": "tar"}},
  {"in": "TYPE=local,DEST=x", "out": {"attrs": {}, "dest": "x", "string": "type=local,dest=x", "type": "local"}},
  {"in": " type =local,dest=x", "out": {"attrs": {}, "dest": "x", "string": "type=local,dest=x", "type": "local"}},
  {"in": "type=image,name=foo,push=true", "out": {"attrs": {"name": "foo", "push": "true"}, "dest": "", "string": "type=image,name=foo,push=true", "type": "image"}},
  {"in": "dest=x", "out": {"attrs": {}, "dest": "dest=x", "string": "type=local,dest=dest=x", "type": "local"}},
  {"in": "type=registry", "out": {"attrs": {}, "dest": "", "string": "type=registry", "type": "registry"}},
  {"in": "type=local", "out": {"attrs": {}, "dest": "", "string": "type=local", "type": "local"}},
  {"in": "foo", "out": {"attrs": {}, "dest": "foo", "string": "type=local,dest=foo", "type": "local"}},
  {"in": "a,b", "err": "invalid value a"},
  {"in": "type=oci,dest=\"a,b\"", "err": "parse error on line 1, column 15: bare \" in non-quoted-field"},
  {"in": "\"type=local,dest=x\"", "out": {"attrs": {}, "dest": "", "string": "\"type=local,dest=x\"", "type": "local,dest=x"}},
  {"in": "type=local,dest=x,", "err": "invalid value "},
  {"in": "type=", "err": "type is required for output"},
  {"in": "type=docker,Name=Foo", "out": {"attrs": {"name": "Foo"}, "dest": "", "string": "type=docker,name=Foo", "type": "docker"}},
  {"in": "type=image,\"annotation.a=b,c\"", "out": {"attrs": {"annotation.a": "b,c"}, "dest": "", "string": "type=image,\"annotation.a=b,c\"", "type": "image"}},
  {"in": "type=local,dest=", "out": {"attrs": {}, "dest": "", "string": "type=local", "type": "local"}},
  {"in": "type=image,name=\"a,b\"", "err": "parse error on line 1, column 17: bare \" in non-quoted-field"},
  {"in": "type=cacheonly", "out": {"attrs": {}, "dest": "", "string": "type=cacheonly", "type": "cacheonly"}},
  {"in": "type=local,mode", "err": "invalid value mode"},
  {"in": "type=image,a=b=c", "out": {"attrs": {"a": "b=c"}, "dest": "", "string": "type=image,a=b=c", "type": "image"}},
  {"in": "\"out\"", "err": "invalid value out"},
  {"in": "type=image,\"x=a\"\"b\"", "out": {"attrs": {"x": "a\"b"}, "dest": "", "string": "type=image,\"x=a\"\"b\"", "type": "image"}},
  {"in": "type=image,\"name=a,b\",push=true,UNPACK=false", "out": {"attrs": {"name": "a,b", "push": "true", "unpack": "false"}, "dest": "", "string": "type=image,\"name=a,b\",push=true,unpack=false", "type": "image"}},
  {"in": "a\"b", "err": "parse error on line 1, column 2: bare \" in non-quoted-field"},
  {"in": "type=local,dest=\"x", "err": "parse error on line 1, column 17: bare \" in non-quoted-field"},
  {"in": "type=local,dest=x,dest=y", "out": {"attrs": {}, "dest": "y", "string": "type=local,dest=y", "type": "local"}},
  {"in": "type=foo,dest=x,k=v", "out": {"attrs": {"k": "v"}, "dest": "x", "string": "type=foo,dest=x,k=v", "type": "foo"}},
  {"in": " type=local,dest=x", "out": {"attrs": {}, "dest": "x", "string": "type=local,dest=x", "type": "local"}},
  {"in": "﻿type=local,dest=x", "err": "type is required for output"},
];

describe('parseOutput', () => {
  for (const c of PARSE) {
    it(JSON.stringify(c.in), () => {
      if (c.err !== undefined) {
        assert.throws(() => parseOutput(c.in), (e: unknown) => e instanceof FlagError && e.message === c.err);
        return;
      }
      const want = c.out as Parsed;
      const got = parseOutput(c.in);
      assert.equal(got.type, want.type);
      assert.deepEqual(got.attrs, want.attrs);
      assert.equal(got.destination ?? '', want.dest);
      assert.equal(formatOutput(got), want.string);
      assert.deepEqual(parseOutput(formatOutput(got)), got, 'format then parse gives the entry back');
    });
  }

  it('skips empty occurrences and keeps order', () => {
    assert.deepEqual(parseOutputs(['', 'type=tar,dest=a.tar', 'out']), [
      { type: 'tar', attrs: {}, destination: 'a.tar' },
      { type: 'local', attrs: {}, destination: 'out' },
    ]);
  });

  it('keeps a __proto__ key as data', () => {
    const e = parseOutput('type=image,__proto__=x');
    assert.equal(Object.getPrototypeOf(e.attrs), Object.prototype);
    assert.deepEqual(Object.entries(e.attrs), [['__proto__', 'x']]);
  });
});

describe('checkImageIdFile', () => {
  it('refuses local and tar outputs with --iidfile', () => {
    assert.throws(() => checkImageIdFile(parseOutputs(['out']), 'id.txt'), {
      message: 'local and tar exporters are incompatible with image ID file',
    });
    assert.throws(() => checkImageIdFile(parseOutputs(['type=tar,dest=x']), 'id.txt'));
  });
  it('accepts other outputs, or no --iidfile', () => {
    checkImageIdFile(parseOutputs(['type=image']), 'id.txt');
    checkImageIdFile(parseOutputs(['out']), undefined);
  });
});

const BASE: ResolveOutputsContext = {
  tags: [], push: false, load: false, driver: 'docker-container', stdoutIsTTY: false, defaultLoad: false, noDefaultLoad: false,
};
const WARNING =
  'WARNING: No output specified with docker-container driver. Build result will only remain in the build cache. ' +
  'To push result image into registry use --push or to load image into docker use --load';

function resolve(outputs: string[], ctx: Partial<ResolveOutputsContext> = {}): OutputPlan {
  return resolveOutputs(parseOutputs(outputs), { ...BASE, ...ctx });
}

interface ResolveCase { name: string; outputs: string[]; ctx?: Partial<ResolveOutputsContext>; want: OutputPlan }

const RESOLVE: ResolveCase[] = [
  {
    name: 'no output on docker-container: nothing exported, warning returned',
    outputs: [],
    want: { exports: [], cacheOnly: false, warning: WARNING },
  },
  {
    name: 'BUILDX_NO_DEFAULT_LOAD: nothing and no warning',
    outputs: [], ctx: { noDefaultLoad: true },
    want: { exports: [], cacheOnly: false },
  },
  {
    name: '--call: nothing and no warning',
    outputs: [], ctx: { call: true },
    want: { exports: [], cacheOnly: false },
  },
  {
    name: 'default-load driver: load into docker',
    outputs: [], ctx: { defaultLoad: true },
    want: { exports: [{ type: 'docker', attrs: {}, target: { kind: 'docker-load' } }], cacheOnly: false },
  },
  {
    name: 'docker driver default: image via the moby exporter',
    outputs: [], ctx: { driver: 'docker', tags: ['foo'] },
    want: { exports: [{ type: 'moby', attrs: { name: 'foo' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: 'docker driver on the containerd store prefers the image digest',
    outputs: [], ctx: { driver: 'docker', driverContainerdStore: true },
    want: { exports: [{ type: 'moby', attrs: { 'prefer-image-digest': 'true' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: 'cacheonly suppresses the default and the warning',
    outputs: ['type=cacheonly'],
    want: { exports: [], cacheOnly: true },
  },
  {
    name: 'local dir',
    outputs: ['out'],
    want: { exports: [{ type: 'local', attrs: {}, target: { kind: 'dir', path: 'out' } }], cacheOnly: false },
  },
  {
    name: 'tar defaults to stdout',
    outputs: ['type=tar'],
    want: { exports: [{ type: 'tar', attrs: {}, target: { kind: 'stdout' } }], cacheOnly: false },
  },
  {
    name: '-o - is a tar on stdout',
    outputs: ['-'],
    want: { exports: [{ type: 'tar', attrs: {}, target: { kind: 'stdout' } }], cacheOnly: false },
  },
  {
    name: 'oci file gets the tags as name',
    outputs: ['type=oci,dest=img.tar'], ctx: { tags: ['a/b:1', 'c'] },
    want: { exports: [{ type: 'oci', attrs: { name: 'a/b:1,c' }, target: { kind: 'file', path: 'img.tar' } }], cacheOnly: false },
  },
  {
    name: 'oci tar=false is a directory',
    outputs: ['type=oci,tar=false,dest=layout'],
    want: { exports: [{ type: 'oci', attrs: { tar: 'false' }, target: { kind: 'dir', path: 'layout' } }], cacheOnly: false },
  },
  {
    name: 'oci with an unparsable tar attr is a tar file',
    outputs: ['type=oci,tar=maybe'],
    want: { exports: [{ type: 'oci', attrs: { tar: 'maybe' }, target: { kind: 'stdout' } }], cacheOnly: false },
  },
  {
    name: 'registry is image+push, unpack=false',
    outputs: ['type=registry'], ctx: { tags: ['r.io/a:1'] },
    want: { exports: [{ type: 'image', attrs: { push: 'true', unpack: 'false', name: 'r.io/a:1' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: 'registry keeps an explicit unpack',
    outputs: ['type=registry,unpack=true,name=r.io/a'],
    want: { exports: [{ type: 'image', attrs: { push: 'true', unpack: 'true', name: 'r.io/a' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: '--push adds an image output',
    outputs: [], ctx: { push: true, tags: ['r.io/a'] },
    want: { exports: [{ type: 'image', attrs: { push: 'true', unpack: 'false', name: 'r.io/a' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: '--push marks existing image outputs instead',
    outputs: ['type=image,unpack=true', 'out'], ctx: { push: true, tags: ['r.io/a'] },
    want: {
      exports: [
        { type: 'image', attrs: { unpack: 'true', push: 'true', name: 'r.io/a' }, target: { kind: 'none' } },
        { type: 'local', attrs: {}, target: { kind: 'dir', path: 'out' } },
      ],
      cacheOnly: false,
    },
  },
  {
    name: '--push on the docker driver goes through moby',
    outputs: [], ctx: { push: true, driver: 'docker', tags: ['r.io/a'] },
    want: { exports: [{ type: 'moby', attrs: { push: 'true', unpack: 'false', name: 'r.io/a' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: '--load adds a docker load',
    outputs: [], ctx: { load: true, tags: ['a'] },
    want: { exports: [{ type: 'docker', attrs: { name: 'a' }, target: { kind: 'docker-load' } }], cacheOnly: false },
  },
  {
    name: '--load with --push gives both',
    outputs: [], ctx: { load: true, push: true, tags: ['a'] },
    want: {
      exports: [
        { type: 'image', attrs: { push: 'true', unpack: 'false', name: 'a' }, target: { kind: 'none' } },
        { type: 'docker', attrs: { name: 'a' }, target: { kind: 'docker-load' } },
      ],
      cacheOnly: false,
    },
  },
  {
    name: '--load next to a docker output written to a file adds nothing (buildx quirk)',
    outputs: ['type=docker,dest=img.tar'], ctx: { load: true },
    want: { exports: [{ type: 'docker', attrs: {}, target: { kind: 'file', path: 'img.tar' } }], cacheOnly: false },
  },
  {
    name: 'docker output loads into the named context',
    outputs: ['type=docker,context=other'],
    want: { exports: [{ type: 'docker', attrs: { context: 'other' }, target: { kind: 'docker-load', context: 'other' } }], cacheOnly: false },
  },
  {
    name: 'load into a containerd-store engine goes through its OCI importer',
    outputs: [], ctx: { load: true, containerdStore: true, multiPlatform: true },
    want: { exports: [{ type: 'oci', attrs: { 'prefer-image-digest': 'true' }, target: { kind: 'docker-load' } }], cacheOnly: false },
  },
  {
    name: 'docker driver: docker output without dest is the moby exporter',
    outputs: ['type=docker'], ctx: { driver: 'docker' },
    want: { exports: [{ type: 'moby', attrs: {}, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: 'docker driver with containerd store: oci and docker files allowed',
    outputs: ['type=oci,dest=a.tar', 'type=docker,dest=b.tar'], ctx: { driver: 'docker', driverContainerdStore: true },
    want: {
      exports: [
        { type: 'oci', attrs: {}, target: { kind: 'file', path: 'a.tar' } },
        { type: 'docker', attrs: {}, target: { kind: 'file', path: 'b.tar' } },
      ],
      cacheOnly: false,
    },
  },
  {
    name: 'unknown types pass through verbatim',
    outputs: ['type=foo,dest=x,k=v'],
    want: { exports: [{ type: 'foo', attrs: { k: 'v' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: 'annotation attrs land on requested outputs, not on the default',
    outputs: ['type=image,name=a'], ctx: { annotationAttrs: { 'annotation.k': 'v' } },
    want: { exports: [{ type: 'image', attrs: { name: 'a', 'annotation.k': 'v' }, target: { kind: 'none' } }], cacheOnly: false },
  },
  {
    name: 'tags override name on image/oci/docker but not on local',
    outputs: ['type=image,name=x', 'type=local,dest=o,name=y'], ctx: { tags: ['z'] },
    want: {
      exports: [
        { type: 'image', attrs: { name: 'z' }, target: { kind: 'none' } },
        { type: 'local', attrs: { name: 'y' }, target: { kind: 'dir', path: 'o' } },
      ],
      cacheOnly: false,
    },
  },
];

describe('resolveOutputs', () => {
  for (const c of RESOLVE) {
    it(c.name, () => assert.deepEqual(resolve(c.outputs, c.ctx), c.want));
  }
});

const NOT_SUPPORTED = (feature: string): string =>
  `${feature} is not supported for the docker driver.\n` +
  'Switch to a different driver, or turn on the containerd image store, and try again.\n' +
  'Learn more at https://docs.docker.com/go/build-exporters/';

interface ErrorCase { name: string; outputs: string[]; ctx?: Partial<ResolveOutputsContext>; err: string }

const ERRORS: ErrorCase[] = [
  { name: 'local without dest', outputs: ['type=local'], err: 'dest is required for local exporter' },
  { name: 'local to stdout', outputs: ['type=local,dest=-'], err: 'dest cannot be stdout for local exporter' },
  { name: 'oci dir without dest', outputs: ['type=oci,tar=false'], err: 'dest is required for oci exporter' },
  { name: 'docker dir without dest', outputs: ['type=docker,tar=false'], err: 'dest is required for docker exporter' },
  { name: 'tar to a console', outputs: ['type=tar'], ctx: { stdoutIsTTY: true }, err: 'dest file is required for tar exporter. refusing to write to console' },
  { name: 'oci to a console', outputs: ['type=oci'], ctx: { stdoutIsTTY: true }, err: 'dest file is required for oci exporter. refusing to write to console' },
  { name: 'docker to stdout on a console', outputs: ['type=docker,dest=-'], ctx: { stdoutIsTTY: true }, err: 'dest file is required for docker exporter. refusing to write to console' },
  { name: 'two outputs to stdout', outputs: ['-', 'type=oci'], err: 'multiple outputs configured to write to stdout' },
  { name: 'push without a name', outputs: ['type=image,push=true'], err: 'tag is needed when pushing to registry' },
  { name: 'registry without a name', outputs: ['type=registry'], err: 'tag is needed when pushing to registry' },
  { name: '--push without -t', outputs: [], ctx: { push: true }, err: 'tag is needed when pushing to registry' },
  { name: 'bad tag', outputs: [], ctx: { tags: ['Foo'] }, err: 'invalid tag "Foo": repository name must be lowercase' },
  { name: 'oci on classic docker driver', outputs: ['type=oci,dest=a.tar'], ctx: { driver: 'docker' }, err: NOT_SUPPORTED('OCI exporter') },
  { name: 'docker file on classic docker driver', outputs: ['type=docker,dest=a.tar'], ctx: { driver: 'docker' }, err: NOT_SUPPORTED('Docker exporter') },
  {
    name: 'multi-platform load into the classic store', outputs: [], ctx: { load: true, multiPlatform: true },
    err: 'docker exporter does not currently support exporting manifest lists',
  },
  {
    name: 'attestations in a docker tarball', outputs: ['type=docker,dest=a.tar'], ctx: { attestations: true },
    err: 'docker exporter does not support exporting manifest lists, use the oci exporter instead',
  },
  {
    name: 'push-by-digest on the docker driver', outputs: ['type=image,name=a,push=true,push-by-digest=true'], ctx: { driver: 'docker' },
    err: 'push-by-digest is currently not implemented for docker driver, please create a new builder instance',
  },
  {
    name: 'several outputs on an old daemon', outputs: ['out', 'type=tar,dest=a.tar'], ctx: { multipleExporters: false },
    err: 'multiple outputs currently unsupported by the current BuildKit daemon, please upgrade to version v0.13+ or use a single output',
  },
  {
    name: 'dest dir that is a file', outputs: ['type=local,dest=f'], ctx: { statPath: () => 'file' },
    err: 'destination directory f is a file',
  },
  {
    name: 'dest file that is a dir', outputs: ['type=tar,dest=d'], ctx: { statPath: () => 'dir' },
    err: 'destination file d is a directory',
  },
  { name: 'entry without a type', outputs: [], err: 'type is required for output' },
];

describe('resolveOutputs errors', () => {
  for (const c of ERRORS) {
    it(c.name, () => {
      const entries: ExportEntry[] = c.outputs.length === 0 && c.err.startsWith('type is')
        ? [{ type: '', attrs: {} }]
        : parseOutputs(c.outputs);
      assert.throws(
        () => resolveOutputs(entries, { ...BASE, ...c.ctx }),
        (e: unknown) => e instanceof FlagError && e.message === c.err,
      );
    });
  }

  it('checks destinations in order, before push and tags', () => {
    assert.throws(() => resolve(['type=local', '-'], { stdoutIsTTY: true, push: true }), { message: 'dest is required for local exporter' });
  });

  it('does not modify its input', () => {
    const entries = parseOutputs(['type=registry,name=a']);
    const copy = structuredClone(entries);
    resolveOutputs(entries, { ...BASE, push: true });
    assert.deepEqual(entries, copy);
  });
});
