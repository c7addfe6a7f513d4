// grpc.health.v1.Health/Check: the daemon polls it and drops the session when it fails.
import { grpcHealth } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import type { Method } from './rpc-server.js';

export function healthService(): Method[] {
  const H = grpcHealth.health.v1;
  const serving = asBuffer(H.HealthCheckResponse.encode({ status: H.HealthCheckResponse.ServingStatus.SERVING }).finish());
  return [{ path: '/grpc.health.v1.Health/Check', kind: 'unary', handler: async () => serving }];
}
