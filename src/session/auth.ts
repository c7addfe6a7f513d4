// Auth: registry credentials for the daemon from the docker CLI config, and the client-side token
// authority buildx offers (the daemon then has the client fetch bearer tokens, so secrets such as
// identity tokens never leave this process).
import { CredentialHelperError, credentialsFor, type RegistryCredentials } from '../docker/credentials.js';
import { withVertex } from '../progress/vertex.js';
import type { ProgressWriter } from '../progress/writer.js';
import { moby } from '../proto/index.js';
import { asBuffer } from '../util/bytes.js';
import { fetchRegistryToken } from './registry-token.js';
import { Code, RpcError, type Method } from './rpc-server.js';
import { TokenSeeds, authorityKey, authorityPublicKey, naclSign } from './token-authority.js';

export interface AuthOptions {
  /** The docker config dir: config.json and the token seeds. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Where buildx's `[auth] …` steps are shown: credentials shared, tokens fetched (once per name). */
  progress?: ProgressWriter;
}

const truthy = (v: string | undefined): boolean => /^(1|t|true)$/i.test(v ?? '');

export function authService(opts: AuthOptions): Method[] {
  const A = moby.filesync.v1;
  const seeds = new TokenSeeds(opts.configDir);
  const shown = new Set<string>();
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (!opts.progress || shown.has(name)) return fn();
    shown.add(name);
    return withVertex(opts.progress, name, fn);
  };
  const lookup = async (host: string): Promise<RegistryCredentials | undefined> => {
    try {
      return await credentialsFor(host, opts.configDir, opts.env);
    } catch (err) {
      if (err instanceof CredentialHelperError) throw new RpcError(Code.UNKNOWN, err.message);
      throw err;
    }
  };
  const key = async (host: string, salt: Uint8Array) => {
    if (truthy(opts.env.BUILDKIT_NO_CLIENT_TOKEN)) throw new RpcError(Code.UNAVAILABLE, 'client side tokens disabled');
    const creds = await lookup(host);
    const seed = await seeds.seed(host);
    return authorityKey(Buffer.from(salt), creds?.secret ? seed : undefined);
  };
  return [
    {
      path: '/moby.filesync.v1.Auth/Credentials',
      kind: 'unary',
      handler: async (req) => {
        const { Host } = A.CredentialsRequest.decode(req);
        const creds = await lookup(Host);
        if (creds?.secret) await step(`[auth] sharing credentials for ${Host}`, async () => {});
        return asBuffer(A.CredentialsResponse.encode({ Username: creds?.username ?? '', Secret: creds?.secret ?? '' }).finish());
      },
    },
    {
      path: '/moby.filesync.v1.Auth/GetTokenAuthority',
      kind: 'unary',
      handler: async (req) => {
        const { Host, Salt } = A.GetTokenAuthorityRequest.decode(req);
        return asBuffer(A.GetTokenAuthorityResponse.encode({ PublicKey: authorityPublicKey(await key(Host, Salt)) }).finish());
      },
    },
    {
      path: '/moby.filesync.v1.Auth/VerifyTokenAuthority',
      kind: 'unary',
      handler: async (req) => {
        const { Host, Salt, Payload } = A.VerifyTokenAuthorityRequest.decode(req);
        return asBuffer(A.VerifyTokenAuthorityResponse.encode({ Signed: naclSign(await key(Host, Salt), Buffer.from(Payload)) }).finish());
      },
    },
    {
      path: '/moby.filesync.v1.Auth/FetchToken',
      kind: 'unary',
      handler: async (req, ctx) => {
        const r = A.FetchTokenRequest.decode(req);
        const creds = await lookup(r.Host);
        const fetch = () => fetchRegistryToken({ realm: r.Realm, service: r.Service, scopes: r.Scopes }, creds, ctx.signal);
        const scopes = r.Scopes.map((s) => s.replace(/^repository:/, '')).join(' ');
        const got = creds?.secret && !creds.registryToken ? await step(`[auth] ${scopes} token for ${r.Host}`, fetch) : await fetch();
        return asBuffer(A.FetchTokenResponse.encode({ Token: got.token, ExpiresIn: got.expiresIn, IssuedAt: got.issuedAt }).finish());
      },
    },
  ];
}
