// What the docker-container e2e suites share: a buildkitd config that reaches the local registry, a small
// project built FROM it, builder names whose containers and volumes are removed after the suite, and
// probes of container and volume state through the real docker CLI.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { writeTree, type E2E } from './helpers.js';

export const REGISTRY = process.env.TSBUILDX_REGISTRY ?? '127.0.0.1:5000';

/** The file the project's RUN writes, as built from `hello.txt`. */
export const PROJECT_OUTPUT = 'hello from the context\nbuilt\n';

export interface ContainerBuilders {
  /** buildkitd.toml marking the local registry as plain HTTP. */
  readonly config: string;
  /** A context whose build writes /out.txt (PROJECT_OUTPUT). */
  readonly project: string;
  /** A fresh builder name; its node's container and state volume are removed after the suite. */
  name(what: string): string;
  /** `create` arguments for a docker-container builder these machines can use (host network, the config). */
  createArgs(name: string, ...extra: string[]): string[];
  /** `running`, `exited`, … or `missing`. */
  containerState(container: string): Promise<string>;
  volumeExists(volume: string): Promise<boolean>;
}

export function containerBuilders(ctx: E2E): ContainerBuilders {
  const nodes = new Set<string>();
  let config = '';
  let project = '';

  before(async () => {
    config = join(await ctx.tmp('bk-config'), 'buildkitd.toml');
    await writeFile(config, `[registry."${REGISTRY}"]\n  http = true\n  insecure = true\n`);
    project = await ctx.tmp('project');
    await writeTree(project, {
      Dockerfile: `FROM ${REGISTRY}/busybox:latest\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt > /out.txt && echo built >> /out.txt\n`,
      'hello.txt': 'hello from the context\n',
    });
  });

  after(async () => {
    for (const node of nodes) {
      await ctx.docker(['rm', '-f', '-v', `buildx_buildkit_${node}`], { timeoutMs: 60_000 }).catch(() => undefined);
      await ctx.docker(['volume', 'rm', '-f', `buildx_buildkit_${node}_state`], { timeoutMs: 60_000 }).catch(() => undefined);
    }
  }, { timeout: 120_000 });

  return {
    get config() { return config; },
    get project() { return project; },
    name(what) {
      const name = `${what}${ctx.id}`;
      nodes.add(`${name}0`);
      return name;
    },
    createArgs: (name, ...extra) =>
      ['create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host', '--buildkitd-config', config, ...extra],
    async containerState(container) {
      const r = await ctx.docker(['container', 'inspect', '--format', '{{.State.Status}}', container], { timeoutMs: 30_000 });
      return r.code === 0 ? r.stdout.toString('utf8').trim() : 'missing';
    },
    async volumeExists(volume) {
      return (await ctx.docker(['volume', 'inspect', volume], { timeoutMs: 30_000 })).code === 0;
    },
  };
}
