import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInspect } from '../../../src/builder/format-inspect.js';
import { GC_POLICY, LAST_ACTIVITY, fixture, multiNodes } from './inspect-fixtures.js';

test('a remote builder with --debug matches buildx 0.36.1 byte for byte', () => {
  const out = formatInspect({ name: 'multi', driver: 'remote', lastActivity: LAST_ACTIVITY, nodes: multiNodes(true) });
  assert.equal(out, fixture('inspect-buildx-0.36.1-remote-debug.txt'));
});

test('the default docker builder (dockerd 20.10: no labels, no GC policy) matches buildx 0.36.1', () => {
  const out = formatInspect({
    name: 'default', driver: 'docker',
    nodes: [{ name: 'default', endpoint: 'default', status: 'running', version: 'v0.8+unknown', platforms: ['linux/amd64', 'linux/arm64', 'linux/386', 'linux/arm/v7', 'linux/arm/v6'], ids: ['moby'] }],
  });
  assert.equal(out, fixture('inspect-buildx-0.36.1-docker.txt'));
});

test('node errors replace the status block; builder errors replace the node list', () => {
  const out = formatInspect({ name: 'b', driver: 'remote', nodes: [{ name: 'b0', endpoint: 'tcp://x:1', platforms: [], error: 'boom', driverOpts: { k: 'v"q' } }] });
  assert.equal(out, 'Name:   b\nDriver: remote\n\nNodes:\nName:           b0\nEndpoint:       tcp://x:1\nDriver Options: k="v\\"q"\nError:          boom\n');
  assert.equal(formatInspect({ name: 'b', driver: 'x', nodes: [], error: 'failed to find driver "x"' }), 'Name:   b\nDriver: x\nError:  failed to find driver "x"\n');
});

test('flags, CDI devices and stored files are listed like buildx does', () => {
  const files = { 'buildkitd.toml': Buffer.from('debug = true\n').toString('base64') };
  const out = formatInspect({
    name: 'c', driver: 'docker-container', lastActivity: new Date('2024-01-02T03:04:05.120Z'),
    nodes: [{
      name: 'c0', endpoint: 'unix:///var/run/docker.sock', status: 'running', platforms: ['linux/amd64'], flags: ['--debug', '--x'], files,
      cdiDevices: [{ name: 'vendor.com/gpu=0', autoAllow: true, onDemand: false, annotations: { b: '2', a: '1' } }, { name: 'd', autoAllow: false, onDemand: true, annotations: {} }],
      gcPolicy: [GC_POLICY[0]!],
    }],
  });
  assert.equal(out, [
    'Name:          c',
    'Driver:        docker-container',
    'Last Activity: 2024-01-02 03:04:05.12 +0000 UTC',
    '',
    'Nodes:',
    'Name:                  c0',
    'Endpoint:              unix:///var/run/docker.sock',
    'Status:                running',
    'BuildKit daemon flags: --debug --x',
    'Platforms:             linux/amd64',
    'Devices:',
    ' Name:                  vendor.com/gpu=0',
    ' Automatically allowed: true',
    ' Annotations:',
    // Checked against Go's text/tabwriter: the annotation lines open a new column block.
    '            a: 1',
    '            b: 2',
    ' Name:      d',
    ' On-Demand: true',
    'GC Policy rule#0:',
    ' All:            false',
    ' Filters:        type==source.local type==exec.cachemount type==source.git.checkout',
    ' Keep Duration:  48h0m0s',
    ' Max Used Space: 488.3MiB',
    'File#buildkitd.toml:',
    ' > debug = true',
    ' > ',
    '',
  ].join('\n'));
});
