#!/usr/bin/env node
// The kubernetes driver on the provisioned cluster (scripts/provision.sh k8s): bootstrap time (create
// --bootstrap of a one-replica builder until its pod is ready, then rm) and the wall time of a warm,
// all-cached build through one booted builder that both tools use. Tools alternate each round; each
// bootstrap gets a namespace of its own, removed afterwards.
//   usage: node bench/kubernetes.mjs [--rounds 3] [--warm 10] [--node PATH]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberOption, resultTable, roundOrder, state, timed, toolNames, tools } from './lib.mjs';

const ROUNDS = numberOption('rounds', 3);
const WARM = numberOption('warm', 10);
const kubeconfig = process.env.TSBUILDX_KUBECONFIG ?? join(state, 'k8s/kubeconfig');
const kubectlBin = process.env.TSBUILDX_KUBECTL ?? join(state, 'k8s/bin/kubectl');
const dockerConfig = mkdtempSync(join(tmpdir(), 'bench-k8s-'));
const env = { KUBECONFIG: kubeconfig, DOCKER_CONFIG: dockerConfig, BUILDX_BUILDER: '' };
const id = process.pid.toString(36);

function kubectl(args) {
  const r = spawnSync(kubectlBin, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const run = (tool, args) => { const [cmd, a] = tools[tool](args); return timed(cmd, a, { env }); };

const boot = Object.fromEntries(toolNames.map((t) => [t, []]));
const warm = Object.fromEntries(toolNames.map((t) => [t, []]));
const namespaces = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const tool of roundOrder(r)) {
      const ns = `bench-${id}-${r}-${tool}`;
      kubectl(['create', 'namespace', ns]);
      namespaces.push(ns);
      const name = `kb${r}${tool.slice(0, 3)}`;
      boot[tool].push(await run(tool, ['create', '--name', name, '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}`, '--bootstrap']));
      await run(tool, ['rm', name]);
    }
  }

  // Warm builds: one builder (made by reference buildx), a context already in its cache.
  const ns = `bench-${id}-warm`;
  kubectl(['create', 'namespace', ns]);
  namespaces.push(ns);
  await run('reference', ['create', '--name', 'kwarm', '--driver', 'kubernetes', '--driver-opt', `namespace=${ns}`, '--bootstrap']);
  const dir = mkdtempSync(join(tmpdir(), 'bench-k8s-ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch AS a\nCOPY a /a\nFROM scratch AS b\nCOPY b /b\nFROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n');
  writeFileSync(join(dir, 'a'), 'a\n');
  writeFileSync(join(dir, 'b'), 'b\n');
  const out = join(dir, 'out');
  const args = ['build', '--builder', 'kwarm', '--progress', 'plain', '-o', `type=local,dest=${out}`, dir];
  for (const tool of toolNames) await run(tool, args);
  for (let r = 0; r < WARM; r++) for (const tool of roundOrder(r)) warm[tool].push(await run(tool, args));
  await run('reference', ['rm', 'kwarm']);
  rmSync(dir, { recursive: true, force: true });
} finally {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dockerConfig, { recursive: true, force: true });
}

console.log(`kubernetes driver: ${ROUNDS} bootstraps and ${WARM} warm builds per tool`);
console.log(resultTable([
  ['bootstrap wall s', boot, 'wall'],
  ['warm build wall s', warm, 'wall'],
  ['warm build client CPU s', warm, 'cpu'],
  ['warm build peak RSS MB', warm, 'rssMB'],
]));
