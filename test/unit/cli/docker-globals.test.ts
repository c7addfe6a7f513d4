import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoistRootFlags, splitPluginArgv } from '../../../src/cli/docker-globals.js';
import { pluginMetadata, versionLine } from '../../../src/cli/fast.js';

test('plugin argv: docker globals before `buildx` are taken out', () => {
  assert.deepEqual(splitPluginArgv(['buildx', 'ls']), { globals: {}, args: ['ls'] });
  assert.deepEqual(splitPluginArgv(['--context', 'foo', 'buildx', 'build', '-t', 'x', '.']),
    { globals: { context: 'foo' }, args: ['build', '-t', 'x', '.'] });
  assert.deepEqual(splitPluginArgv(['-H=unix:///x.sock', '-D', '--config', '/cfg', 'buildx', 'version']),
    { globals: { host: 'unix:///x.sock', debug: true, config: '/cfg' }, args: ['version'] });
  // a value that happens to be "buildx" is a value, not the plugin name
  assert.deepEqual(splitPluginArgv(['-c', 'buildx', 'buildx', 'ls']), { globals: { context: 'buildx' }, args: ['ls'] });
});

test('docker-cli-plugin-metadata uses 5-space indentation and buildx vendor fields', () => {
  assert.equal(pluginMetadata({ version: 'v1.2.3', revision: 'abc' }),
    '{\n     "SchemaVersion": "0.1.0",\n     "Vendor": "Docker Inc.",\n     "Version": "v1.2.3",\n     "ShortDescription": "Docker Buildx"\n}\n');
});

test('version line has buildx shape', () => {
  assert.equal(versionLine({ version: 'v0.36.1+tsbuildx.0.1.0', revision: 'deadbeef' }), 'github.com/docker/buildx v0.36.1+tsbuildx.0.1.0 deadbeef\n');
});

test('buildx root flags before the command move after it', () => {
  assert.deepEqual(hoistRootFlags(['--builder', 'x', 'ls']), ['ls', '--builder', 'x']);
  assert.deepEqual(hoistRootFlags(['--debug', 'inspect', 'b1']), ['inspect', '--debug', 'b1']);
  assert.deepEqual(hoistRootFlags(['-D', '--builder=x', 'build', '.']), ['build', '-D', '--builder=x', '.']);
  assert.deepEqual(hoistRootFlags(['ls', '--builder', 'x']), ['ls', '--builder', 'x']);
  assert.deepEqual(hoistRootFlags(['--debug']), ['--debug']);
  assert.deepEqual(hoistRootFlags(['--debug', '--help']), ['--debug', '--help']);
  assert.deepEqual(hoistRootFlags(['--nope', 'ls']), ['--nope', 'ls']);
  // A command group's path stays whole; its arguments are not taken for subcommands.
  assert.deepEqual(hoistRootFlags(['--builder', 'x', 'history', 'inspect', 'attachment', 'r']), ['history', 'inspect', 'attachment', '--builder', 'x', 'r']);
  assert.deepEqual(hoistRootFlags(['--builder', 'x', 'history', 'inspect', 'ls']), ['history', 'inspect', '--builder', 'x', 'ls']);
  assert.deepEqual(hoistRootFlags(['-D', 'history', 'nope']), ['history', '-D', 'nope']);
});
