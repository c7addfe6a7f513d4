// A BuildKit session: the services this client offers the daemon for one or more builds, and the
// identity (id, shared key, method list) the daemon needs to find and use them.
import type { Duplex } from 'node:stream';
import { randomId } from '../util/random-id.js';
import { RpcServer, type Method } from './rpc-server.js';
import { dockerConfigDir } from '../docker/config.js';
import type { ProgressWriter } from '../progress/writer.js';
import { authService } from './auth.js';
import { fileSendService, type ExportSink } from './filesend.js';
import { fileSyncService, type TransferRecord } from './filesync.js';
import { healthService } from './health.js';
import { secretsService, type SecretSource } from './secrets.js';
import type { AgentSource } from './ssh-agent.js';
import { sshForwardService } from './sshforward.js';
import { uploadService } from './upload.js';


export interface SessionOptions {
  /** Cache-locality hint for incremental context sync (`<dir basename>:<node id>`). */
  sharedKey: string;
  /** Local directories the daemon may sync, by mount name (`context`, `dockerfile`, …). */
  dirs?: ReadonlyMap<string, string>;
  /** Exporter outputs delivered to the client, by exporter index. */
  exports?: readonly ExportSink[];
  secrets?: ReadonlyMap<string, SecretSource>;
  /** Forwarded ssh agents by id (`--ssh`); the service is offered even with none, as buildx does. */
  ssh?: ReadonlyMap<string, AgentSource>;
  /** Bodies the daemon pulls by URL, by id. */
  uploads?: ReadonlyMap<string, () => AsyncIterable<Buffer>>;
  dockerConfigDir?: string;
  /** Read for the credential helpers' environment and BUILDKIT_NO_CLIENT_TOKEN; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where session steps buildx shows (`[auth] sharing credentials for …`) go. */
  progress?: ProgressWriter;
  onTransfer?: (r: TransferRecord) => void;
  /** Further services a build attaches (e.g. content stores for a local cache). */
  methods?: readonly Method[];
}

/** Header values must be ASCII; the shared key is only a hint, so non-ASCII is escaped. */
function asciiHeader(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}

export class Session {
  readonly id = randomId();
  readonly sharedKey: string;
  private readonly server: RpcServer;

  constructor(opts: SessionOptions) {
    this.sharedKey = asciiHeader(opts.sharedKey);
    const methods: Method[] = [...healthService(), ...authService({ configDir: opts.dockerConfigDir ?? dockerConfigDir({ env: opts.env }), env: opts.env ?? process.env, progress: opts.progress })];
    if (opts.dirs?.size) methods.push(...fileSyncService(opts.dirs, opts.onTransfer));
    if (opts.exports?.length) methods.push(...fileSendService(opts.exports));
    if (opts.secrets?.size) methods.push(...secretsService(opts.secrets));
    methods.push(...sshForwardService(opts.ssh ?? new Map()));
    if (opts.uploads?.size) methods.push(...uploadService(opts.uploads));
    if (opts.methods?.length) methods.push(...opts.methods);
    this.server = new RpcServer(methods);
  }

  /** The session headers as [name, value] pairs, one per advertised method (protocol.md §2.2). */
  headers(): [string, string][] {
    const h: [string, string][] = [
      ['X-Docker-Expose-Session-Uuid', this.id],
      ['X-Docker-Expose-Session-Name', 'tsbuildx'],
      ['X-Docker-Expose-Session-Sharedkey', this.sharedKey],
    ];
    for (const p of this.server.paths) h.push(['X-Docker-Expose-Session-Grpc-Method', p]);
    return h;
  }

  /** Serves the session on a connection on which the daemon is the HTTP/2 client. */
  serve(conn: Duplex): void {
    this.server.serve(conn);
  }

  close(): void {
    this.server.close();
  }
}
