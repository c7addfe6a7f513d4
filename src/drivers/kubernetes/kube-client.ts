// The one module that loads @kubernetes/client-node at run time. Everything else in the driver imports
// only its types and reaches it through `import('./kube-client.js')`, so commands that never touch a
// cluster do not pay the ~100 ms the library takes to load; the CLI bundle keeps it in a file of its own
// (scripts/build.mjs).
export { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
// Not re-exported by the package's index; its exec helper is built on it, and so is ours (exec-conn.ts).
export { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
