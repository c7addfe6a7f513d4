// `--driver-opt` for the docker-container driver (cli.md §3.1), checked the way buildx checks them when
// a node is loaded: unknown keys and malformed values fail with the messages Go's parsers produce.
import { BuildxError } from '../../util/errors.js';
import { GoNumError, goQuote, parseGoBool, parseGoInt64 } from '../../util/go-strconv.js';

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

export interface ContainerOptions {
  image?: string;
  network?: string;
  /** Bytes; 0 = engine default. */
  memory: number;
  /** Bytes, -1 = unlimited; 0 = engine default. */
  memorySwap: number;
  cpuPeriod: number;
  cpuQuota: number;
  cpuShares: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  cgroupParent?: string;
  restartPolicy: RestartPolicy;
  /** `NAME=value`, in option order. */
  env: string[];
  defaultLoad: boolean;
  provenanceAddGHA: boolean;
  allowUntrustedImage: boolean;
}

const BINARY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: `512m`, `1.5GiB`, `1 GB`, `100` (bytes); units are binary whatever the spelling. */
export function ramInBytes(s: string): number {
  let sep = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(s[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) throw new BuildxError(`invalid size: '${s}'`);
  const num = s[sep] === ' ' ? s.slice(0, sep) : s.slice(0, sep + 1);
  let sfx = s.slice(sep + 1);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num)) throw new GoNumError('ParseFloat', num, 'invalid syntax');
  let size = Number(num);
  if (size < 0) throw new BuildxError(`invalid size: '${s}'`);
  if (sfx === '') return Math.trunc(size);
  const bad = (): BuildxError => new BuildxError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = BINARY_UNITS[sfx[0]!];
  if (!mul) throw bad();
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  size *= mul;
  return Math.trunc(size);
}

/** docker/cli ParseRestartPolicy: `name[:count]`; the name itself is the engine's to check. */
export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const i = policy.indexOf(':');
  const name = i < 0 ? policy : policy.slice(0, i);
  const count = i < 0 ? '' : policy.slice(i + 1);
  if (i >= 0 && name === '') throw new BuildxError('invalid restart policy format: no policy provided before colon');
  let retries = 0;
  if (count !== '') {
    try {
      retries = Number(parseGoInt64(count));
    } catch {
      throw new BuildxError('invalid restart policy format: maximum retry count must be an integer');
    }
  }
  return { Name: name, MaximumRetryCount: retries };
}

export const DEFAULT_RESTART_POLICY = 'unless-stopped';

/** Validates every option; the first bad one fails with buildx's message. */
export function parseContainerOptions(driverOpts: Record<string, string>): ContainerOptions {
  const o: ContainerOptions = {
    memory: 0, memorySwap: 0, cpuPeriod: 0, cpuQuota: 0, cpuShares: 0,
    restartPolicy: parseRestartPolicy(DEFAULT_RESTART_POLICY), env: [],
    defaultLoad: false, provenanceAddGHA: true, allowUntrustedImage: false,
  };
  for (const [k, v] of Object.entries(driverOpts)) {
    switch (k) {
      case 'network': o.network = v; break;
      case 'image': o.image = v; break;
      case 'memory': o.memory = ramInBytes(v); break;
      case 'memory-swap': o.memorySwap = v === '-1' ? -1 : ramInBytes(v); break;
      case 'cpu-period': o.cpuPeriod = Number(parseGoInt64(v)); break;
      case 'cpu-quota': o.cpuQuota = Number(parseGoInt64(v)); break;
      case 'cpu-shares': o.cpuShares = Number(parseGoInt64(v)); break;
      case 'cpuset-cpus': o.cpusetCpus = v; break;
      case 'cpuset-mems': o.cpusetMems = v; break;
      case 'cgroup-parent': o.cgroupParent = v; break;
      case 'restart-policy': o.restartPolicy = parseRestartPolicy(v); break;
      case 'default-load': o.defaultLoad = parseGoBool(v); break;
      case 'provenance-add-gha': o.provenanceAddGHA = parseGoBool(v); break;
      case 'allow-untrusted-image': o.allowUntrustedImage = parseGoBool(v); break;
      default:
        if (k.startsWith('env.')) {
          const name = k.slice('env.'.length);
          if (!name) throw new BuildxError(`invalid env option ${goQuote(k)}, expecting env.FOO=bar`);
          o.env.push(`${name}=${v}`);
          break;
        }
        throw new BuildxError(`invalid driver option ${k} for docker-container driver`);
    }
  }
  return o;
}
