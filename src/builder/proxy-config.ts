// The proxy settings buildx passes to every node (`ProxyConfig` in `ls --format json`): the docker
// config.json `proxies` entry for the current daemon host, else its `default` entry.
import { dockerConfigDir, readDockerConfig } from '../docker/config.js';
import { currentEndpoint } from '../docker/context.js';

const KEYS: [string, string][] = [['httpProxy', 'HTTP_PROXY'], ['httpsProxy', 'HTTPS_PROXY'], ['noProxy', 'NO_PROXY'], ['ftpProxy', 'FTP_PROXY']];

export async function proxyConfig(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const cfg = await readDockerConfig(dockerConfigDir({ env })).catch(() => ({ proxies: undefined }));
  if (!cfg.proxies) return {};
  const host = await currentEndpoint({ env }).then((ep) => ep.host, () => '');
  const entry = cfg.proxies[host] ?? cfg.proxies.default ?? {};
  const out: Record<string, string> = {};
  for (const [from, to] of KEYS) if (entry[from]) out[to] = entry[from]!;
  return out;
}
