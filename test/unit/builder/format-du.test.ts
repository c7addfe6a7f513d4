import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DU_PRETTY_FORMAT, DU_TABLE_FORMAT, duFormat, formatDiskUsage, PruneOutput, usageSummary } from '../../../src/builder/format-du.js';
import type { UsageRecord } from '../../../src/builder/disk-usage.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const rec = (o: Partial<UsageRecord>): UsageRecord => ({
  id: 'r1', mutable: false, inUse: false, size: 8224, parents: [], createdAtNs: ns(NOW - 3_600_000) + 123n, usageCount: 1,
  description: '', recordType: 'regular', shared: false, ...o,
});

test('du table: * on mutable IDs and shared sizes, summary with shared/private', () => {
  const out = formatDiskUsage([rec({ id: 'aaa', mutable: true, lastUsedAtNs: ns(NOW - 5000) }), rec({ id: 'bbb', shared: true, inUse: true, size: 1_704_000_000 })],
    { format: DU_TABLE_FORMAT, filtered: false, nowMs: NOW });
  assert.equal(out, [
    'ID        RECLAIMABLE   SIZE       LAST ACCESSED',
    'aaa*      true          8.224kB    5 seconds ago',
    'bbb       false         1.704GB*   ',
    'Shared:\t\t1.704GB',
    'Private:\t8.224kB',
    'Reclaimable:\t8.224kB',
    'Total:\t\t1.704GB',
    '',
  ].join('\n'));
  // with filters, no summary
  assert.ok(!formatDiskUsage([rec({})], { format: DU_TABLE_FORMAT, filtered: true, nowMs: NOW }).includes('Total'));
});

test('du pretty and json', () => {
  const r = rec({ parents: ['p1'], description: 'mount / from exec <x>', lastUsedAtNs: ns(NOW - 120_000) });
  assert.equal(formatDiskUsage([r], { format: DU_PRETTY_FORMAT, filtered: true, nowMs: NOW }), [
    'ID:           r1', 'Parents:', ' - p1', 'Created at:   2026-12-04 11:00:00.000000123 +0000 UTC', 'Mutable:      false', 'Reclaimable:  true',
    'Shared:       false', 'Size:         8.224kB', 'Description:  mount / from exec <x>', 'Usage count:  1', 'Last used:    2 minutes ago', 'Type:         regular', '', '',
  ].join('\n'));
  assert.equal(formatDiskUsage([rec({ mutable: true })], { format: 'json', filtered: false, nowMs: NOW }),
    '{"CreatedAt":"2026-12-04 11:00:00.000000123 +0000 UTC","Description":"","ID":"r1","LastUsedAt":"","Mutable":true,"Parents":null,"Reclaimable":true,"Shared":false,"Size":"8.224kB","Type":"regular","UsageCount":1}\n');
  assert.equal(formatDiskUsage([r], { format: '{{json .}}', filtered: false, nowMs: NOW }).includes('"Description":"mount / from exec \\u003cx\\u003e"'), true);
});

test('du format selection', () => {
  assert.equal(duFormat(undefined, false), DU_TABLE_FORMAT);
  assert.equal(duFormat(undefined, true), DU_PRETTY_FORMAT);
  assert.equal(duFormat('pretty', false), DU_PRETTY_FORMAT);
  assert.equal(duFormat('table', false), DU_TABLE_FORMAT);
  assert.equal(duFormat('{{.ID}}', false), '{{.ID}}');
  assert.throws(() => duFormat('json', true), { message: '--format and --verbose cannot be used together' });
});

test('prune rows: the header only before the first row, each row aligned alone; the total', () => {
  const p = new PruneOutput(false, () => NOW);
  assert.equal(p.record(rec({ id: 'b05vud9is3qnyjwqk6iryoyn9', mutable: true, size: 13, lastUsedAtNs: ns(NOW - 3000) })),
    'ID\t\t\t\t\t\tRECLAIMABLE\tSIZE\t\tLAST ACCESSED\nb05vud9is3qnyjwqk6iryoyn9*              \ttrue \t\t13B       \t3 seconds ago\n');
  assert.equal(p.record(rec({ id: 'x', size: 1000 })), `${'x'.padEnd(40)}\ttrue \t1kB       \t\n`);
  assert.equal(p.end(), 'Total:\t1.013kB\n');
  const v = new PruneOutput(true, () => NOW);
  assert.equal(v.record(rec({ parents: ['a', 'b'], description: 'd' })),
    'ID:\t\tr1\nParent:\t\ta,b\nCreated at:\t2026-12-04 11:00:00.000000123 +0000 UTC\nMutable:\tfalse\nReclaimable:\ttrue\nShared:\t\tfalse\nSize:\t\t8.224kB\nDescription:\td\nUsage count:\t1\nType:\t\tregular\n\n');
});

test('summary without shared records', () => {
  assert.equal(usageSummary([rec({ inUse: true }), rec({ size: 0 })]), 'Reclaimable:\t0B\nTotal:\t\t8.224kB\n');
});
