// Secrets: values for RUN --mount=type=secret, looked up by id when the daemon asks.
import { moby } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import { Code, RpcError, type Method } from './rpc-server.js';

export type SecretSource = () => Promise<Buffer>;

/** Secrets: values for RUN --mount=type=secret, looked up by id. */
export function secretsService(secrets: ReadonlyMap<string, SecretSource>): Method[] {
  const S = moby.buildkit.secrets.v1;
  return [{
    path: '/moby.buildkit.secrets.v1.Secrets/GetSecret',
    kind: 'unary',
    handler: async (req) => {
      const { ID } = S.GetSecretRequest.decode(req);
      const src = secrets.get(ID);
      if (!src) throw new RpcError(Code.NOT_FOUND, `secret ${ID} not found`);
      return asBuffer(S.GetSecretResponse.encode({ data: await src() }).finish());
    },
  }];
}
