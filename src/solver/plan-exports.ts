// Turns -o/--push/--load/-t into the exporters of a solve on a given driver, with where the client
// receives each result.
import { statSync } from 'node:fs';
import type { Driver } from '../drivers/driver.js';
import { BuildxError } from '../errors.js';
import type { ExportRequest } from './build.js';
import { resolveOutputs, type ExportEntry } from './flags/index.js';
import { parseGoBool } from './flags/go.js';

export interface ExportPlanInput {
  outputs: readonly ExportEntry[];
  tags: string[];
  push: boolean;
  load: boolean;
  driver: Driver;
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  platforms?: string[];
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

export function planExports(input: ExportPlanInput): ExportPlan {
  const plan = resolveOutputs(input.outputs, {
    tags: input.tags,
    push: input.push,
    load: input.load,
    driver: input.driver.name,
    stdoutIsTTY: input.stdoutIsTTY,
    defaultLoad: parseGoBool(input.driver.config.driverOpts['default-load'] ?? '') ?? false,
    noDefaultLoad: parseGoBool(input.env.BUILDX_NO_DEFAULT_LOAD ?? '') ?? false,
    multiPlatform: (input.platforms?.length ?? 0) > 1,
    // The docker driver's classic engines run BuildKit < v0.13: one exporter per solve.
    multipleExporters: !input.driver.isMobyDriver,
    statPath,
  });
  const exports: ExportRequest[] = plan.exports.map((o) => {
    const t = o.target;
    if (t.kind === 'docker-load' && !input.driver.isMobyDriver) {
      throw new BuildxError('loading into docker from this driver is not implemented yet');
    }
    return {
      type: o.type,
      attrs: o.attrs,
      output: t.kind === 'dir' || t.kind === 'file' || t.kind === 'stdout' ? t : undefined,
    };
  });
  return { exports, warning: plan.warning };
}
