// What the registry client needs from its caller: where credentials live, per-host transport settings
// from the builder's buildkitd config, and a signal.

export interface RegistryHostConfig {
  /** `http = true`: speak plain HTTP to this host. */
  plainHTTP?: boolean;
  /** `insecure = true`: accept any TLS certificate (and fall back to HTTP as containerd does). */
  insecure?: boolean;
}

export interface RegistryOptions {
  dockerConfigDir?: string;
  env?: NodeJS.ProcessEnv;
  /** per registry host, from the builder's buildkitd config */
  registryConfig?: Record<string, RegistryHostConfig>;
  signal?: AbortSignal;
}
