// The `kubernetes` driver: BuildKit as a Deployment (a StatefulSet when it keeps a volume) that the driver
// creates in a cluster, reached by exec-ing `buildctl dial-stdio` in one of its pods through the API
// server; the session travels inside that control connection (protocol.md §4.3, cli.md §3.2).
import type { Duplex } from 'node:stream';
import type { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { BuildkitClient } from '../../buildkit/client.js';
import { openTunnelSession } from '../../buildkit/session-tunnel.js';
import type { Session } from '../../session/session.js';
import { BuildxError } from '../../util/errors.js';
import { humanDuration } from '../../util/go-units.js';
import type { BootstrapProgress, Driver, DriverConfig, DriverFactory, DriverStatus, DynamicNode, Feature, SessionCloser } from '../driver.js';
import { apiError } from './api-error.js';
import { applyObjects, deleteObjects, type Clients, type Objects } from './apply.js';
import { execConn } from './exec-conn.js';
import { resolveKubeAccess, type KubeAccess } from './kubeconfig.js';
import { buildObjects, ANNOTATION_PLATFORM } from './manifest.js';
import { parseKubernetesOptions, type KubernetesOptions } from './options.js';
import { choosePod, labelSelector, podProblem, runningPods } from './pods.js';
import { connectWithRetry } from './retry.js';

const POLL_MS = 100;

class KubernetesDriver implements Driver {
  readonly name = 'kubernetes' as const;
  readonly isMobyDriver = false;
  private clientsPromise?: Promise<Clients>;
  private booting?: Promise<void>;

  constructor(readonly config: DriverConfig, private readonly access: KubeAccess, private readonly opts: KubernetesOptions, private readonly objects: Objects) {}

  private get workload() {
    return (this.objects.statefulSet ?? this.objects.deployment)!;
  }

  private get workloadName(): string {
    return this.workload.metadata?.name ?? '';
  }

  private clients(): Promise<Clients> {
    this.clientsPromise ??= (async () => {
      const { AppsV1Api, CoreV1Api } = await import('./kube-client.js');
      const apps: AppsV1Api = this.access.kc.makeApiClient(AppsV1Api);
      const core: CoreV1Api = this.access.kc.makeApiClient(CoreV1Api);
      return { apps, core, namespace: this.opts.namespace };
    })();
    return this.clientsPromise;
  }

  /** The workload's ready replicas; undefined when it does not exist or cannot be read. */
  private async readyReplicas(): Promise<number | undefined> {
    const c = await this.clients();
    try {
      const w = this.objects.statefulSet
        ? await c.apps.readNamespacedStatefulSet({ name: this.workloadName, namespace: c.namespace })
        : await c.apps.readNamespacedDeployment({ name: this.workloadName, namespace: c.namespace });
      return w.status?.readyReplicas ?? 0;
    } catch {
      return undefined;
    }
  }

  private async pods(): Promise<V1Pod[]> {
    const c = await this.clients();
    const selector = labelSelector(this.workload.spec?.selector?.matchLabels ?? {});
    try {
      return (await c.core.listNamespacedPod({ namespace: c.namespace, labelSelector: selector })).items;
    } catch (err) {
      throw new BuildxError(apiError(err).message, 1, { cause: err });
    }
  }

  bootstrap(progress: BootstrapProgress, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.booting ??= (async () => {
      const c = await this.clients();
      const applied = await applyObjects(c, this.objects, { createMissing: true });
      for (const line of applied.changes) progress.log(2, `${line}\n`);
      const want = this.opts.deployment.replicas;
      await progress.wrap(`waiting for ${want} pods to be ready, timeout: ${humanDuration(this.opts.timeoutMs)}`, () => this.waitReady(want, opts.signal));
    })().finally(() => { this.booting = undefined; });
    return this.booting;
  }

  private async waitReady(want: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.opts.timeoutMs;
    let ready = 0;
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new BuildxError('bootstrap canceled');
      ready = (await this.readyReplicas()) ?? 0;
      if (ready >= want) return;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
    }
    // buildx stops at the count; the pods' own reasons are what the user needs to act.
    const problems = (await this.pods().catch(() => [])).map(podProblem).filter((p): p is string => Boolean(p));
    const why = problems.length ? `: ${problems.join('; ')}` : '';
    throw new BuildxError(`expected ${want} replicas to be ready, got ${ready}${why}`);
  }

  async applySettings(): Promise<string[]> {
    // A workload that cannot be read (not made yet, or the cluster unreachable) gets the settings at its
    // next bootstrap; create does not fail for it.
    if ((await this.readyReplicas()) === undefined) return [];
    return (await applyObjects(await this.clients(), this.objects, { createMissing: false })).changes;
  }

  async status(): Promise<DriverStatus> {
    const ready = await this.readyReplicas();
    if (ready === undefined) return 'inactive';
    return ready > 0 ? 'running' : 'stopped';
  }

  async dynamicNodes(): Promise<DynamicNode[]> {
    return runningPods(await this.pods()).map((p) => ({
      name: p.metadata?.name ?? '',
      platforms: (p.metadata?.annotations?.[ANNOTATION_PLATFORM] ?? '').split(',').filter(Boolean),
    }));
  }

  async version(opts: { signal?: AbortSignal } = {}): Promise<string> {
    const c = await this.client();
    try {
      return (await c.info({ signal: opts.signal }))?.version ?? '';
    } finally {
      c.close();
    }
  }

  async features(): Promise<Set<Feature>> {
    const f = new Set<Feature>(['OCI exporter', 'Docker exporter', 'Cache export', 'Multi-platform build', 'Direct push']);
    if (this.opts.defaultLoad) f.add('Default load');
    return f;
  }

  // Like buildx: stopping leaves the pods running (a later version may scale to zero).
  async stop(): Promise<void> {}

  async rm(opts: { keepDaemon: boolean; keepState: boolean }): Promise<void> {
    if (opts.keepDaemon) return;
    await deleteObjects(await this.clients(), this.objects, { keepState: opts.keepState });
  }

  async dial(opts: { signal?: AbortSignal } = {}): Promise<Duplex> {
    const pod = choosePod(runningPods(await this.pods()), this.opts.loadbalance, this.config.contextKey ?? '');
    if (!pod) throw new BuildxError('no running buildkit pods found');
    const podName = pod.metadata?.name ?? '';
    const container = pod.spec?.containers[0]?.name;
    if (!container) throw new BuildxError(`pod ${podName} does not have any container`);
    const target = { namespace: pod.metadata?.namespace ?? this.opts.namespace, pod: podName, container, command: ['buildctl', 'dial-stdio'] };
    return connectWithRetry(podName, () => execConn(this.access.kc, target, opts.signal), opts.signal);
  }

  async client(): Promise<BuildkitClient> {
    return BuildkitClient.connect((signal) => this.dial({ signal }));
  }

  async openSession(client: BuildkitClient, session: Session, opts: { signal?: AbortSignal } = {}): Promise<SessionCloser> {
    return openTunnelSession(client, session, opts);
  }

  async hostGatewayIP(): Promise<string> {
    throw new BuildxError('host-gateway is not supported by the kubernetes driver');
  }
}

/** Parses everything a node's settings say before any call to the cluster, as buildx's factory does. */
export async function newKubernetesDriver(cfg: DriverConfig): Promise<KubernetesDriver> {
  const access = await resolveKubeAccess(cfg.endpoint, cfg.env ?? process.env);
  const opts = parseKubernetesOptions({ name: cfg.name, driverOpts: cfg.driverOpts, flags: cfg.flags, files: cfg.files, platforms: cfg.platforms }, access.namespace);
  return new KubernetesDriver(cfg, access, opts, buildObjects(opts.deployment));
}

export const kubernetesFactory: DriverFactory = {
  name: 'kubernetes',
  usage: 'kubernetes',
  allowsInstances: true,
  // buildx: 40 with a docker API to talk to, else 80; never picked without --driver in practice.
  async priority(): Promise<number> {
    return 40;
  },
  create: newKubernetesDriver,
};
