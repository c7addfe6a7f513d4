// Builder management for programs: the same calls `create`, `use`, `ls`, `inspect`, `stop` and `rm` make.
// Everything returns data; the buildx-identical text is one `format…` call away.
import { bootBuilderShown } from '../builder/boot.js';
import { resolveBuilder, type Builder } from '../builder/builder.js';
import { removeBuilders, type RemoveOptions } from '../builder/manage.js';
import { discardProgress, type ProgressWriter } from '../progress/writer.js';

export { resolveBuilder, contextBuilder, type Builder, type BuilderNode, type ResolveOptions } from '../builder/builder.js';
export { listBuilders, type BuilderInfo, type ListOptions, type NodeInfo } from '../builder/list.js';
export { inspectBuilder, type InspectOptions } from '../builder/inspect.js';
export { createBuilder, leaveBuilder, type CreateOptions, type CreateResult, type LeaveOptions } from '../builder/create.js';
export { useBuilder, removeBuilders, removeInactiveBuilders, stopBuilder, type UseOptions, type RemoveOptions } from '../builder/manage.js';
export { formatInspect, type InspectView } from '../builder/format-inspect.js';
export { checkLsFormat, formatLs, formatLsJSON, formatLsTable } from '../builder/format-ls.js';

export interface BootOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the `[internal] booting buildkit` steps are shown; closed when booting ends, with its error. */
  progress?: ProgressWriter;
  signal?: AbortSignal;
}

/**
 * Starts every node of a builder that is not running (`create --bootstrap`). Resolves true when a node
 * had to be booted.
 */
export async function bootBuilder(builder: string | Builder | undefined, opts: BootOptions = {}): Promise<boolean> {
  const b = typeof builder === 'object' ? builder : await resolveBuilder({ name: builder, env: opts.env, skipValidation: true });
  return bootBuilderShown(b, opts.progress ?? discardProgress, opts.signal);
}

/** Removes one builder: its store entry and, unless kept, its nodes' daemons and state. */
export async function removeBuilder(name: string, opts: RemoveOptions = {}): Promise<void> {
  await removeBuilders([name], opts);
}
