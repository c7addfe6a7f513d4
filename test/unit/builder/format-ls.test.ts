import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLsJSON } from '../../../src/builder/format-ls.js';
import { LAST_ACTIVITY, fixture, multiNodes } from './inspect-fixtures.js';

const lines = fixture('ls-buildx-0.36.1.json').split('\n');

test('ls --format json of a remote builder matches buildx 0.36.1 byte for byte', () => {
  const out = formatLsJSON([{ name: 'multi', driver: 'remote', current: false, dynamic: false, lastActivity: LAST_ACTIVITY, nodes: multiNodes(false) }]);
  assert.equal(out, `${lines.find((l) => l.includes('"Name":"multi"'))}\n`);
});

test('ls --format json of the default docker builder matches buildx 0.36.1', () => {
  const out = formatLsJSON([{
    name: 'default', driver: 'docker', current: true, dynamic: false,
    nodes: [{ name: 'default', endpoint: 'default', status: 'running', version: 'v0.8+unknown', platforms: ['linux/amd64', 'linux/arm64', 'linux/386', 'linux/arm/v7', 'linux/arm/v6'], ids: ['moby'] }],
  }]);
  assert.equal(out, `${lines.find((l) => l.includes('"Name":"default"'))}\n`);
});

test('errors are trimmed, files and proxy settings included, HTML characters escaped as Go does', () => {
  const out = formatLsJSON([{
    name: 'b', driver: 'docker-container', current: false, dynamic: false, error: 'bad <thing>\n',
    nodes: [{ name: 'b0', endpoint: 'e', platforms: ['linux/arm64*'], error: ' node & err ', files: { 'buildkitd.toml': 'ZA==' }, proxyConfig: { HTTP_PROXY: 'http://p' }, flags: ['--x'] }],
  }]);
  assert.equal(out, '{"Current":false,"Driver":"docker-container","Dynamic":false,"Err":"bad \\u003cthing\\u003e","LastActivity":"0001-01-01T00:00:00Z","Name":"b",'
    + '"Nodes":[{"Endpoint":"e","Err":"node \\u0026 err","Files":{"buildkitd.toml":"ZA=="},"Flags":["--x"],"Name":"b0","Platforms":["linux/arm64"],"ProxyConfig":{"HTTP_PROXY":"http://p"},"Status":"error"}]}\n');
});
