// Auth: registry credentials for the daemon, from the docker CLI config.
import { credentialsFor } from '../docker/credentials.js';
import { moby } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import { Code, RpcError, type Method } from './rpc-server.js';

/** Auth: registry credentials from the docker config; token signing is left to the daemon. */
export function authService(configDir?: string): Method[] {
  const A = moby.filesync.v1;
  return [
    {
      path: '/moby.filesync.v1.Auth/Credentials',
      kind: 'unary',
      handler: async (req) => {
        const { Host } = A.CredentialsRequest.decode(req);
        const creds = await credentialsFor(Host, configDir);
        return asBuffer(A.CredentialsResponse.encode({ Username: creds?.username ?? '', Secret: creds?.secret ?? '' }).finish());
      },
    },
    {
      path: '/moby.filesync.v1.Auth/GetTokenAuthority',
      kind: 'unary',
      // UNIMPLEMENTED makes the daemon fetch tokens itself with the credentials above (protocol.md §3.4).
      handler: async () => { throw new RpcError(Code.UNIMPLEMENTED, 'token authority not supported'); },
    },
  ];
}
