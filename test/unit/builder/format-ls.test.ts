import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLsFormat, formatLs, formatLsJSON, formatLsTable } from '../../../src/builder/format-ls.js';
import type { BuilderInfo } from '../../../src/builder/list.js';
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

const two: BuilderInfo[] = [
  { name: 'default', driver: 'docker', current: true, dynamic: false, lastActivity: new Date('2026-12-04T22:50:03.123Z'),
    nodes: [{ name: 'default', endpoint: 'default', status: 'running', version: 'v0.8+unknown', platforms: ['linux/amd64', 'linux/arm64', 'linux/386', 'linux/arm/v7', 'linux/arm/v6'] }] },
  { name: 'broken', driver: 'nosuch', current: false, dynamic: false, error: 'failed to find driver "nosuch"', nodes: [] },
];

test('ls --format templates see one row per builder, then one per node, as buildx renders them', () => {
  assert.equal(formatLs(two, '{{.Name}} {{.DriverEndpoint}} {{.Status}}').stdout, 'default docker \ndefault default running\nbroken nosuch error\n');
  assert.equal(formatLs(two, '{{.LastActivity}}|{{.Platforms}}').stdout, '2026-12-04T22:50:03Z|\n|linux/amd64, linux/arm64, linux/386, linux/arm/v7, linux/arm/v6\n|\n');
});

test('table templates indent nodes, mark the current builder, truncate platforms and add the error lines', () => {
  const out = formatLs(two, 'table {{.Name}}\t{{.Platforms}}');
  assert.equal(out.stdout, 'NAME/NODE     PLATFORMS\ndefault*      \n \\_ default   linux/amd64, linux/arm64, linux/arm (+2), linux/386\nbroken        \n');
  assert.equal(out.stderr, '\nCannot load builder broken: failed to find driver "nosuch"\n');
  assert.equal(formatLs(two, '{{.Name}}').stderr, '', 'no error lines for a non-table template');
});

test('the plain table and json keep their own renderers', () => {
  assert.deepEqual(formatLs(two, 'table'), formatLsTable(two));
  assert.equal(formatLs(two, 'json').stdout, formatLsJSON(two));
});

test('{{json .}} is the builder\'s JSON on each of its rows', () => {
  const rows = formatLs(two.slice(0, 1), '{{json .}}').stdout.split('\n');
  assert.equal(rows.length, 3);
  assert.equal(rows[0], rows[1]);
  assert.equal(`${rows[0]}\n`, formatLsJSON(two.slice(0, 1)));
});

test('a bad template is refused up front with the docker formatter\'s prefix and Go\'s message', () => {
  assert.throws(() => checkLsFormat('{{.Nope'), { message: 'template parsing error: template: :1: unclosed action' });
  assert.throws(() => checkLsFormat('{{nosuch .Name}}'), { message: 'template parsing error: template: :1: function "nosuch" not defined' });
  assert.throws(() => formatLs(two, '{{.Nope}}'), { message: 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *commands.lsContext' });
  checkLsFormat('table');
  checkLsFormat('json');
  checkLsFormat('{{.Name}}');
});
