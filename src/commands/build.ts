import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { rootSignal } from '../cli/signals.js';
import { buildFromCli } from '../cli/build.js';
import { checkedString, FlagValueError } from '../cli/flag-value.js';
import { parseShmSize, parseUlimit } from '../index.js';

const many = (description: string, char?: 'f' | 't' | 'o' | 'q') => Flags.string({ multiple: true, multipleNonGreedy: true, default: [], description, ...(char ? { char } : {}) });

export default class Build extends BaseCommand {
  static override summary = 'Start a build';
  static override aliases = ['b'];
  static override use = 'build [OPTIONS] PATH | URL | -';
  static override strict = false;
  static override args = { context: Args.string({ required: false, description: 'PATH | URL | -' }) };
  static override flags = {
    'add-host': many('Add a custom host-to-IP mapping (format: "host:ip")'),
    allow: many('Allow extra privileged entitlement'),
    'build-arg': many('Set build-time variables'),
    'cache-from': many('External cache sources'),
    'cache-to': many('Cache export destinations'),
    'cgroup-parent': Flags.string({ description: 'Set the parent cgroup for the "RUN" instructions during build' }),
    file: Flags.string({ char: 'f', description: 'Name of the Dockerfile (default: "PATH/Dockerfile")' }),
    iidfile: Flags.string({ description: 'Write the image ID to a file' }),
    label: many('Set metadata for an image'),
    load: Flags.boolean({ description: 'Shorthand for "--output=type=docker"' }),
    'metadata-file': Flags.string({ description: 'Write build result metadata to a file' }),
    network: Flags.string({ description: 'Set the networking mode for the "RUN" instructions during build', default: 'default' }),
    'no-cache': Flags.boolean({ description: 'Do not use cache when building the image' }),
    'no-cache-filter': many('Do not cache specified stages'),
    annotation: many('Add annotation to the image'),
    attest: many('Attestation parameters (format: "type=sbom,generator=image")'),
    output: many('Output destination (format: "type=local,dest=path")', 'o'),
    platform: many('Set target platform for build'),
    progress: Flags.string({ description: 'Set type of progress output ("auto", "none", "plain", "quiet", "rawjson", "tty")', default: 'auto' }),
    provenance: Flags.string({ description: 'Shorthand for "--attest=type=provenance"', default: '' }),
    pull: Flags.boolean({ description: 'Always attempt to pull all referenced images' }),
    push: Flags.boolean({ description: 'Shorthand for "--output=type=registry"' }),
    quiet: Flags.boolean({ char: 'q', description: 'Suppress the build output and print image ID on success' }),
    secret: many('Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")'),
    sbom: Flags.string({ description: 'Shorthand for "--attest=type=sbom"', default: '' }),
    'shm-size': checkedString('shm-size', parseShmSize, { description: 'Shared memory size for build containers' }),
    ssh: many('SSH agent socket or keys to expose to the build'),
    tag: many('Image identifier (format: "[registry/]repository[:tag]")', 't'),
    target: Flags.string({ description: 'Set the target build stage to build' }),
    timeline: Flags.string({ description: 'Write a timeline picture of the build (".svg" or ".html")' }),
    ulimit: Flags.custom<string>({
      multiple: true, multipleNonGreedy: true, default: [], description: 'Ulimit options',
      parse: async (input) => {
        try {
          parseUlimit(input);
        } catch (err) {
          throw new FlagValueError(`invalid argument "${input}" for "--ulimit" flag: ${(err as Error).message}`);
        }
        return input;
      },
    })(),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Build);
    this.exactArgs(argv as string[], 1);
    const result = await buildFromCli({
      contextArg: (argv as string[])[0]!,
      file: flags.file,
      tags: flags.tag,
      target: flags.target,
      buildArgs: flags['build-arg'],
      labels: flags.label,
      noCache: flags['no-cache'],
      noCacheFilter: flags['no-cache-filter'],
      pull: flags.pull,
      quiet: flags.quiet,
      iidfile: flags.iidfile,
      metadataFile: flags['metadata-file'],
      load: flags.load,
      push: flags.push,
      outputs: flags.output,
      progress: flags.progress,
      platforms: flags.platform,
      attests: flags.attest,
      annotations: flags.annotation,
      provenance: flags.provenance,
      sbom: flags.sbom,
      builder: flags.builder,
      cacheFrom: flags['cache-from'],
      cacheTo: flags['cache-to'],
      network: flags.network,
      addHosts: flags['add-host'],
      allow: flags.allow,
      shmSize: flags['shm-size'],
      ulimits: flags.ulimit,
      secrets: flags.secret,
      ssh: flags.ssh,
      cgroupParent: flags['cgroup-parent'],
      timeline: flags.timeline,
    }, { signal: rootSignal() });
    if (result.printImageId && result.imageId) process.stdout.write(`${result.imageId}\n`);
  }
}
