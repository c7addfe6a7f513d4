// Inputs behind the captured buildx 0.36.1 outputs in fixtures/: what a bare buildkitd v0.32.2 (OCI
// worker, default GC policy) reports, and the builders the outputs were taken from.
import type { GCPolicyRule } from '../../../src/buildkit/convert.js';
import type { NodeInfo } from '../../../src/builder/list.js';
import { sourceFixture } from '../source-fixture.js';

export function fixture(name: string): string {
  return sourceFixture('builder', name);
}

export const LABELS: Record<string, string> = {
  'org.mobyproject.buildkit.worker.selinux.enabled': 'false',
  'org.mobyproject.buildkit.worker.executor': 'oci',
  'org.mobyproject.buildkit.worker.hostname': 'vm',
  'org.mobyproject.buildkit.worker.network': 'host',
  'org.mobyproject.buildkit.worker.oci.process-mode': 'sandbox',
  'org.mobyproject.buildkit.worker.snapshotter': 'overlayfs',
};

const rule = (r: Partial<GCPolicyRule>): GCPolicyRule => ({
  all: false, filters: [], keepDuration: 0n, reservedSpace: 0n, maxUsedSpace: 0n, minFreeSpace: 0n, ...r,
});

export const GC_POLICY: GCPolicyRule[] = [
  rule({ filters: ['type==source.local', 'type==exec.cachemount', 'type==source.git.checkout'], keepDuration: 172_800_000_000_000n, maxUsedSpace: 512_000_000n }),
  rule({ keepDuration: 5_184_000_000_000_000n, reservedSpace: 10_000_000_000n, maxUsedSpace: 100_000_000_000n, minFreeSpace: 51_000_000_000n }),
  rule({ reservedSpace: 10_000_000_000n, maxUsedSpace: 100_000_000_000n, minFreeSpace: 51_000_000_000n }),
  rule({ all: true, reservedSpace: 10_000_000_000n, maxUsedSpace: 100_000_000_000n, minFreeSpace: 51_000_000_000n }),
];

export const DETECTED = ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4', 'linux/arm64', 'linux/386', 'linux/arm/v7', 'linux/arm/v6'];

export function features(defaultLoad: boolean): [string, boolean][] {
  return [
    ['Automatically load images to the Docker Engine image store', defaultLoad], ['Cache export', true], ['Direct push', true],
    ['Docker exporter', true], ['Multi-platform build', true], ['OCI exporter', true],
  ];
}

/** The `multi` remote builder: fixed platforms on a running node, a second running node, a dead one. */
export function multiNodes(withFeatures: boolean): NodeInfo[] {
  const running = (n: Partial<NodeInfo>): NodeInfo => ({
    name: '', endpoint: '', status: 'running', version: 'v0.32.2', platforms: DETECTED, ids: ['hv2d4ouh9nu1i74q4395wozd7'],
    labels: LABELS, gcPolicy: GC_POLICY, ...n,
  });
  return [
    running({
      name: 'multi0', endpoint: 'unix:///tmp/insp-bk/buildkitd.sock', driverOpts: { 'default-load': 'true' },
      platforms: ['linux/arm64*', 'linux/riscv64*', ...DETECTED.filter((p) => p !== 'linux/arm64')],
      features: withFeatures ? features(true) : undefined,
    }),
    running({ name: 'second', endpoint: 'tcp://127.0.0.1:18765', driverOpts: { 'default-load': 'false' }, features: withFeatures ? features(false) : undefined }),
    { name: 'dead', endpoint: 'unix:///tmp/nonexistent.sock', status: 'inactive', platforms: [], features: withFeatures ? features(false) : undefined },
  ];
}

export const LAST_ACTIVITY = new Date('2026-11-23T22:19:59Z');
