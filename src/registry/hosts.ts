// Which endpoints serve a registry domain, in the order buildx's resolver tries them
// (util/resolver NewRegistryConfig over containerd's ConfigureDefaultRegistries): docker.io is served
// by registry-1.docker.io; loopback hosts speak plain HTTP unless the config says otherwise; a host
// configured `insecure` is tried over TLS without verification, after plain HTTP when that applies.
import type { RegistryHostConfig } from './options.js';

export interface RegistryEndpoint {
  scheme: 'http' | 'https';
  /** host[:port] the requests go to. */
  host: string;
  /** TLS without certificate verification. */
  insecure: boolean;
  /** Hosts from the builder's config lack containerd's referrers capability. */
  referrers: boolean;
}

function splitHostPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** containerd's MatchLocalhost: localhost and loopback addresses, with or without a port. */
export function isLocalhost(host: string): boolean {
  if (host === '::1' || host === '[::1]') return true;
  const h = splitHostPort(host);
  if (h === 'localhost') return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(h)) return true;
  return h === '::1';
}

export function registryEndpoints(domain: string, config: Record<string, RegistryHostConfig> = {}): RegistryEndpoint[] {
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  const c = config[domain];
  if (!c) return [{ scheme: isLocalhost(domain) ? 'http' : 'https', host, insecure: false, referrers: true }];
  const out: RegistryEndpoint[] = [];
  const plain = c.plainHTTP ?? (isLocalhost(domain) ? true : undefined);
  if (plain) out.push({ scheme: 'http', host, insecure: false, referrers: false });
  if (c.insecure) out.push({ scheme: 'https', host, insecure: true, referrers: false });
  if (out.length === 0) out.push({ scheme: 'https', host, insecure: false, referrers: false });
  return out;
}
