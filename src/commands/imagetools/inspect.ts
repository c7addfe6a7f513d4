import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { rootSignal } from '../../cli/signals.js';
import { inspectImage } from '../../index.js';

export default class ImagetoolsInspect extends BaseCommand {
  static override summary = 'Show details of an image in the registry';
  static override use = 'imagetools inspect [OPTIONS] NAME';
  static override strict = false;
  static override flags = {
    format: Flags.string({ description: 'Format the output using the given Go template', helpValue: 'string' }),
    raw: Flags.boolean({ description: 'Show original, unformatted JSON manifest' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(ImagetoolsInspect);
    this.exactArgs(argv as string[], 1);
    const out = await inspectImage((argv as string[])[0]!, { builder: flags.builder, format: flags.format, raw: flags.raw, signal: rootSignal() });
    process.stdout.write(out);
  }
}
