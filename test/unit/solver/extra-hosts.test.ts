// --add-host host-gateway: resolved through the driver once per build, in buildx's words when it cannot be.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Driver, DriverName } from '../../../src/drivers/driver.js';
import { parseAddHosts } from '../../../src/flags/index.js';
import { resolveExtraHosts } from '../../../src/solver/extra-hosts.js';

function driver(name: DriverName, gateway?: () => Promise<string>): Driver & { asked: number } {
  const no = () => { throw new Error('not used'); };
  const d = {
    asked: 0, name, config: { name: 'b', endpoint: 'e', driverOpts: {} }, isMobyDriver: name === 'docker',
    version: no, features: no, bootstrap: no, status: no, stop: no, rm: no, dial: no, client: no, openSession: no,
    ...(gateway ? { hostGatewayIP: () => { d.asked++; return gateway(); } } : {}),
  };
  return d;
}

describe('resolveExtraHosts', () => {
  it('replaces every host-gateway with the driver\'s address, asking once; other hosts pass as given', async () => {
    const d = driver('docker', async () => '10.228.0.1');
    const hosts = parseAddHosts(['a=host-gateway', 'b:1.2.3.4,[::1]', 'c:host-gateway']);
    assert.deepEqual(await resolveExtraHosts(hosts, d), ['a=10.228.0.1', 'b=1.2.3.4', 'b=::1', 'c=10.228.0.1']);
    assert.equal(d.asked, 1);
  });

  it('no host-gateway: the driver is not asked', async () => {
    const d = driver('docker', async () => { throw new Error('must not be asked'); });
    assert.deepEqual(await resolveExtraHosts(parseAddHosts(['x=127.0.0.1']), d), ['x=127.0.0.1']);
    assert.equal(d.asked, 0);
  });

  it('drivers without one, and engines that do not label it, fail as buildx does', async () => {
    for (const name of ['remote', 'docker-container'] as const) {
      await assert.rejects(resolveExtraHosts(parseAddHosts(['x=host-gateway']), driver(name)),
        { message: `unable to derive the IP value for host-gateway: host-gateway is not supported by the ${name} driver` });
    }
    await assert.rejects(resolveExtraHosts(parseAddHosts(['x=host-gateway']), driver('docker', async () => { throw new Error('host-gateway IP not found'); })),
      { message: 'unable to derive the IP value for host-gateway: host-gateway IP not found' });
  });
});
