// Turns -o/--push/--load/-t into the exporters of a solve on a given driver, with where the client
// receives each result.
import { statSync } from 'node:fs';
import type { DockerCliOptions } from '../docker/config.js';
import type { DockerEndpoint } from '../docker/context.js';
import { engineImportsOCI, loadEndpoint } from '../docker/image-load.js';
import type { Driver } from '../drivers/driver.js';
import type { ExportRequest } from './build.js';
import { resolveOutputs, type ExportEntry, type ResolvedOutput } from '../flags/index.js';
import { parseGoBoolOptional } from '../util/go-strconv.js';
import { localExportMode } from './local-delete.js';
import type { OutputTarget } from './outputs.js';

/** The docker engine an image is loaded into, for drivers whose daemon is not the engine itself. */
export interface LoadEngine {
  /** The engine for a `context=` output attribute (undefined: the current docker context). */
  endpoint(context: string | undefined): Promise<DockerEndpoint>;
  /** Whether that engine uses the containerd image store (it then takes OCI archives and manifest lists). */
  importsOCI(context: string | undefined): Promise<boolean>;
}

export interface ExportPlanInput {
  outputs: readonly ExportEntry[];
  tags: string[];
  push: boolean;
  load: boolean;
  driver: Driver;
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  platforms?: string[];
  /** Attestations will be attached (the classic image store cannot load them either). */
  attestations?: boolean;
  /** Defaults to the docker CLI's view (DOCKER_HOST, DOCKER_CONTEXT, config.json) through `docker`. */
  engine?: LoadEngine;
  docker?: DockerCliOptions;
}

export interface ExportPlan {
  exports: ExportRequest[];
  warning?: string;
}

function statPath(p: string): 'dir' | 'file' | 'missing' {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function dockerEngine(opts: DockerCliOptions): LoadEngine {
  return {
    endpoint: (context) => loadEndpoint(context, opts),
    importsOCI: async (context) => {
      let ep: DockerEndpoint;
      try {
        ep = await loadEndpoint(context, opts);
      } catch {
        return false; // reported when the load target is resolved
      }
      return engineImportsOCI(ep);
    },
  };
}

/**
 * The `context=` of the first output that will be loaded into docker, when there is one: buildx asks
 * that engine once whether it imports OCI archives, before deciding every docker output's exporter. On
 * the docker driver only a `docker` output (or `--load`) asks: its default result is an image anyway.
 */
function loadContext(input: ExportPlanInput, defaultLoad: boolean, noDefaultLoad: boolean): { context: string | undefined } | undefined {
  const docker = input.outputs.find((o) => o.type === 'docker');
  if (docker) {
    const tar = parseGoBoolOptional(docker.attrs['tar'] ?? '') ?? true;
    return tar && docker.destination === undefined ? { context: docker.attrs['context'] } : undefined;
  }
  if (input.load) return { context: undefined };
  if (input.driver.isMobyDriver) return undefined;
  if (input.outputs.length === 0 && !input.push && defaultLoad && !noDefaultLoad) return { context: undefined };
  return undefined;
}

/** BuildKit v0.13 and later take several exporters in one solve (the docker driver's engines vary). */
async function takesMultipleExporters(driver: Driver): Promise<boolean> {
  if (!driver.isMobyDriver) return true;
  const m = /^v(\d+)\.(\d+)/.exec(await driver.version().catch(() => ''));
  return m ? Number(m[1]) > 0 || Number(m[2]) >= 13 : false;
}

/** The client side of one resolved output, and the attributes the daemon gets for it. */
async function clientTarget(o: ResolvedOutput, engine: LoadEngine): Promise<{ attrs: Record<string, string>; output?: OutputTarget }> {
  const t = o.target;
  switch (t.kind) {
    case 'docker-load':
      return { attrs: o.attrs, output: { kind: 'docker-load', endpoint: await engine.endpoint(t.context) } };
    case 'dir':
      if (o.type === 'oci' || o.type === 'docker') {
        // Asked for as a tar and unpacked here: the daemon's directory mode needs a content store
        // served over the session.
        const { tar: _, ...attrs } = o.attrs;
        return { attrs, output: { kind: 'oci-layout', path: t.path } };
      }
      return { attrs: o.attrs, output: o.type === 'local' && localExportMode(o.attrs['mode']) === 'delete' ? { ...t, mirror: true } : t };
    case 'file':
    case 'stdout':
      return { attrs: o.attrs, output: t };
    default:
      return { attrs: o.attrs };
  }
}

export async function planExports(input: ExportPlanInput): Promise<ExportPlan> {
  const defaultLoad = parseGoBoolOptional(input.driver.config.driverOpts['default-load'] ?? '') ?? false;
  const noDefaultLoad = parseGoBoolOptional(input.env.BUILDX_NO_DEFAULT_LOAD ?? '') ?? false;
  const engine = input.engine ?? dockerEngine(input.docker ?? { env: input.env });
  const load = loadContext(input, defaultLoad, noDefaultLoad);
  const containerdStore = load ? await engine.importsOCI(load.context) : undefined;
  const driverContainerdStore = input.driver.isMobyDriver && (await input.driver.features()).has('Prefer image digest');
  const plan = resolveOutputs(input.outputs, {
    tags: input.tags,
    push: input.push,
    load: input.load,
    driver: input.driver.name,
    stdoutIsTTY: input.stdoutIsTTY,
    defaultLoad,
    noDefaultLoad,
    multiPlatform: (input.platforms?.length ?? 0) > 1,
    attestations: input.attestations ?? false,
    multipleExporters: await takesMultipleExporters(input.driver),
    containerdStore,
    driverContainerdStore,
    statPath,
  });
  const exports: ExportRequest[] = [];
  for (const o of plan.exports) {
    const { attrs, output } = await clientTarget(o, engine);
    exports.push(output ? { type: o.type, attrs, output } : { type: o.type, attrs });
  }
  return { exports, warning: plan.warning };
}
