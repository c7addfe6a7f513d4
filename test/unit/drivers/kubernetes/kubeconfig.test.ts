// Which kubeconfig and namespace a node uses, in buildx's order, from files on disk (no cluster needed).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contextDirHash } from '../../../../src/docker/context.js';
import { resolveKubeAccess } from '../../../../src/drivers/kubernetes/kubeconfig.js';

function kubeconfig(server: string, namespace?: string, name = 'c'): string {
  return [
    'apiVersion: v1', 'kind: Config', `current-context: ${name}`,
    'clusters:', `- name: ${name}`, '  cluster:', `    server: ${server}`,
    'users:', `- name: ${name}`, '  user:', '    token: abc',
    'contexts:', `- name: ${name}`, '  context:', `    cluster: ${name}`, `    user: ${name}`, ...(namespace ? [`    namespace: ${namespace}`] : []),
  ].join('\n') + '\n';
}

describe('resolving the kubeconfig', () => {
  let dir = '';
  let home = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubecfg-'));
    home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(dir, 'a.yaml'), kubeconfig('https://10.0.0.1:6443', 'team-a', 'a'));
    await writeFile(join(dir, 'b.yaml'), kubeconfig('https://10.0.0.2:6443', undefined, 'b'));
    await writeFile(join(home, '.kube', 'config'), kubeconfig('https://10.0.0.3:6443', 'home-ns', 'h'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const env = (extra: Record<string, string> = {}) => ({ HOME: home, DOCKER_CONFIG: join(dir, 'docker'), ...extra });
  const server = (a: Awaited<ReturnType<typeof resolveKubeAccess>>) => a.kc.getCurrentCluster()?.server;

  it('uses the endpoint\'s kubeconfig= file and its context\'s namespace', async () => {
    const a = await resolveKubeAccess(`kubernetes:///b?deployment=b0&kubeconfig=${encodeURIComponent(join(dir, 'a.yaml'))}`, env({ KUBECONFIG: join(dir, 'b.yaml') }));
    assert.equal(server(a), 'https://10.0.0.1:6443');
    assert.equal(a.namespace, 'team-a');
  });

  it('without kubeconfig= uses $KUBECONFIG (first file wins), else ~/.kube/config; namespace default', async () => {
    const a = await resolveKubeAccess('kubernetes:///b?deployment=b0&kubeconfig=', env({ KUBECONFIG: `${join(dir, 'b.yaml')}:${join(dir, 'a.yaml')}` }));
    assert.equal(server(a), 'https://10.0.0.2:6443');
    assert.equal(a.namespace, 'default');
    const h = await resolveKubeAccess('kubernetes:///b?deployment=b0&kubeconfig=', env());
    assert.equal(server(h), 'https://10.0.0.3:6443');
    assert.equal(h.namespace, 'home-ns');
  });

  it('falls back to the default rules when kubeconfig= names a missing file', async () => {
    const a = await resolveKubeAccess(`kubernetes:///b?deployment=b0&kubeconfig=${encodeURIComponent(join(dir, 'gone.yaml'))}`, env());
    assert.equal(server(a), 'https://10.0.0.3:6443');
  });

  it('reads a docker context\'s kubernetes endpoint for a node whose endpoint is that context', async () => {
    const meta = join(dir, 'docker', 'contexts', 'meta', contextDirHash('k8sctx'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: 'k8sctx', Endpoints: { kubernetes: { Host: 'https://10.0.0.9:6443', SkipTLSVerify: true, DefaultNamespace: 'ctx-ns' } } }));
    const a = await resolveKubeAccess('k8sctx', env());
    assert.equal(server(a), 'https://10.0.0.9:6443');
    assert.equal(a.namespace, 'ctx-ns');
  });

  it('fails with client-go\'s words when nothing gives a cluster', async () => {
    await assert.rejects(
      resolveKubeAccess('kubernetes:///b?deployment=b0&kubeconfig=', { HOME: join(dir, 'nohome'), DOCKER_CONFIG: join(dir, 'docker') }),
      { message: 'cannot determine Kubernetes namespace, specify manually: invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable' },
    );
  });
});
