// The driver registry: a driver is registered by being listed here, and loaded only when used.
import type { DriverFactory, DriverName } from './driver.js';
import { BuildxError } from '../util/errors.js';

export const factories: Record<DriverName, (() => Promise<DriverFactory>) | undefined> = {
  docker: async () => (await import('./docker/driver.js')).dockerFactory,
  'docker-container': async () => (await import('./docker-container/driver.js')).containerFactory,
  kubernetes: async () => (await import('./kubernetes/driver.js')).kubernetesFactory,
  remote: async () => (await import('./remote/driver.js')).remoteFactory,
};

export async function getFactory(name: string): Promise<DriverFactory> {
  const load = (factories as Record<string, (() => Promise<DriverFactory>) | undefined>)[name];
  if (!load) throw new BuildxError(`failed to find driver "${name}"`);
  return load();
}

export type { Driver, DriverConfig, DriverFactory, DriverName, DriverPlatform, DriverStatus, DynamicNode, Feature } from './driver.js';
