// `--add-host name=host-gateway`: the special address becomes the IP the driver's daemon gives for its host
// (the docker driver's engine labels its BuildKit worker with it); other drivers have none, as in buildx.
import type { Driver } from '../drivers/driver.js';
import { formatAddHost, HOST_GATEWAY, type ExtraHost } from '../flags/index.js';
import { BuildxError } from '../util/errors.js';

/** The `add-hosts` entries the daemon gets, host-gateway resolved once through the driver. */
export async function resolveExtraHosts(hosts: readonly ExtraHost[], driver: Driver, signal?: AbortSignal): Promise<string[]> {
  let gateway: Promise<string> | undefined;
  const out: string[] = [];
  for (const h of hosts) {
    if (h.ip !== HOST_GATEWAY) {
      out.push(formatAddHost(h));
      continue;
    }
    gateway ??= driver.hostGatewayIP
      ? driver.hostGatewayIP({ signal })
      : Promise.reject(new Error(`host-gateway is not supported by the ${driver.name} driver`));
    const ip = await gateway.catch((err: unknown) => {
      throw new BuildxError(`unable to derive the IP value for host-gateway: ${err instanceof Error ? err.message : String(err)}`);
    });
    out.push(formatAddHost({ host: h.host, ip }));
  }
  return out;
}
