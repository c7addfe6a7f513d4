// What a docker-container node's container looks like (protocol.md §4.2, cli.md §3.1): its names, the
// buildkitd command line and the engine's create body, all derived from the node's stored settings and
// a few facts about the engine, without talking to it.
import type { DriverConfig } from '../driver.js';
import type { ContainerOptions, RestartPolicy } from './options.js';

export const DEFAULT_IMAGE = 'moby/buildkit:buildx-stable-1';
export const STATE_DIR = '/var/lib/buildkit';
/** The config lands at CONFIG_DIR/buildkitd.toml; the archive is unpacked in CONFIG_DIR's parent. */
export const CONFIG_PARENT = '/etc';
export const CONFIG_ROOT = 'buildkit';
export const CONFIG_FILE = 'buildkitd.toml';
export const CONFIG_PATH = `${CONFIG_PARENT}/${CONFIG_ROOT}/${CONFIG_FILE}`;

export function containerName(nodeName: string): string {
  return `buildx_buildkit_${nodeName}`;
}

export function stateVolumeName(nodeName: string): string {
  return `${containerName(nodeName)}_state`;
}

/**
 * buildkitd's arguments: the stored flags, with `--config` first when a config file is stored, so the
 * image's default config location never matters and a user's own `--config` still wins.
 */
export function buildkitdCmd(flags: readonly string[] | undefined, files: Record<string, string> | undefined): string[] {
  const cmd = [...(flags ?? [])];
  if (files && CONFIG_FILE in files) cmd.unshift('--config', CONFIG_PATH);
  return cmd;
}

/** Stored files are base64 in the builder store. */
export function decodeFiles(files: Record<string, string> | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(files ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

/** What the engine says about itself that changes the container. */
export interface EngineFacts {
  cgroupDriver?: string;
  /** User-namespace remapping is on: the privileged builder must opt out. */
  userns: boolean;
  /** A probe container could request GPUs. */
  gpus: boolean;
}

export interface DeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs: string[] | null;
  Capabilities: string[][];
  Options: Record<string, string>;
}

/** `--gpus all`, as docker/cli spells it. */
export const ALL_GPUS: DeviceRequest[] = [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }];

export interface ContainerCreateBody {
  Image: string;
  Env?: string[];
  Cmd?: string[];
  HostConfig: {
    Privileged: true;
    Init: true;
    RestartPolicy: RestartPolicy;
    Mounts: { Type: 'volume'; Source: string; Target: string }[];
    NetworkMode?: string;
    Memory?: number;
    MemorySwap?: number;
    CpuQuota?: number;
    CpuPeriod?: number;
    CpuShares?: number;
    CpusetCpus?: string;
    CpusetMems?: string;
    CgroupParent?: string;
    UsernsMode?: string;
    DeviceRequests?: DeviceRequest[];
  };
}

/** cgroupfs engines get every builder under one parent, so limits can be set on all build work at once. */
const BUILDX_CGROUP_PARENT = '/docker/buildx';

export function containerCreateBody(cfg: DriverConfig, o: ContainerOptions, engine: EngineFacts): ContainerCreateBody {
  const hc: ContainerCreateBody['HostConfig'] = {
    Privileged: true,
    // Reaps the processes BuildKit's container API leaves behind.
    Init: true,
    RestartPolicy: o.restartPolicy,
    Mounts: [{ Type: 'volume', Source: stateVolumeName(cfg.name), Target: STATE_DIR }],
  };
  if (o.network) hc.NetworkMode = o.network;
  if (o.memory) hc.Memory = o.memory;
  if (o.memorySwap) hc.MemorySwap = o.memorySwap;
  if (o.cpuQuota) hc.CpuQuota = o.cpuQuota;
  if (o.cpuPeriod) hc.CpuPeriod = o.cpuPeriod;
  if (o.cpuShares) hc.CpuShares = o.cpuShares;
  if (o.cpusetCpus) hc.CpusetCpus = o.cpusetCpus;
  if (o.cpusetMems) hc.CpusetMems = o.cpusetMems;
  if (engine.gpus) hc.DeviceRequests = ALL_GPUS;
  // Like buildx, a cgroup-parent option only applies where the default would (cgroupfs engines).
  if (engine.cgroupDriver === 'cgroupfs') hc.CgroupParent = o.cgroupParent || BUILDX_CGROUP_PARENT;
  if (engine.userns) hc.UsernsMode = 'host';
  const body: ContainerCreateBody = { Image: o.image || DEFAULT_IMAGE, HostConfig: hc };
  if (o.env.length) body.Env = o.env;
  const cmd = buildkitdCmd(cfg.flags, cfg.files);
  if (cmd.length) body.Cmd = cmd;
  return body;
}
