import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { writeOutputFile } from '../../cli/files.js';
import { createDisplay, progressMode } from '../../cli/progress-display.js';
import { rootSignal } from '../../cli/signals.js';
import { BuildxError, createImage, imageCreateMetadataText } from '../../index.js';

const many = (description: string, char?: 'f' | 't' | 'p') => Flags.string({ multiple: true, multipleNonGreedy: true, default: [], description, ...(char ? { char } : {}) });

export default class ImagetoolsCreate extends BaseCommand {
  static override summary = 'Create a new image based on source images';
  static override use = 'imagetools create [OPTIONS] [SOURCE...]';
  static override strict = false;
  static override flags = {
    annotation: many('Add annotation to the image'),
    append: Flags.boolean({ description: 'Append to existing manifest' }),
    'dry-run': Flags.boolean({ description: 'Show final image instead of pushing' }),
    file: many('Read source descriptor from file', 'f'),
    'metadata-file': Flags.string({ description: 'Write create result metadata to a file' }),
    platform: many('Filter specified platforms of target image', 'p'),
    'prefer-index': Flags.boolean({ default: true, description: 'When only a single source is specified, prefer outputting an image index or manifest list instead of performing a carbon copy' }),
    progress: Flags.string({ default: 'auto', description: 'Set type of progress output ("auto", "none", "plain", "rawjson", "tty"). Use plain to show container output' }),
    tag: many('Set reference for new image', 't'),
  };

  async run(): Promise<void> {
    // pflag's `--prefer-index=false`, which oclif's boolean flags do not take.
    let preferIndex = true;
    this.argv = this.argv.filter((a) => {
      const m = /^--prefer-index=(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.exec(a);
      if (m) preferIndex = /^(true|1|t)$/i.test(m[1]!);
      return !m;
    });
    const { flags, argv } = await this.parse(ImagetoolsCreate);
    const files = await Promise.all(flags.file.map((f) => readFile(f, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new BuildxError(`open ${f}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
    })));
    const mode = progressMode({ flag: flags.progress, env: process.env, out: process.stderr });
    const dryRun = flags['dry-run'];
    const res = await createImage({
      sources: [...files, ...(argv as string[])], tags: flags.tag, annotations: flags.annotation, platforms: flags.platform,
      append: flags.append, dryRun, preferIndex, builder: flags.builder, signal: rootSignal(),
      progress: dryRun ? undefined : createDisplay(mode, { env: process.env, out: process.stderr }),
    });
    if (dryRun) {
      process.stdout.write(`${res.bytes.toString()}\n`);
      return;
    }
    if (flags['metadata-file']) await writeOutputFile(flags['metadata-file'], imageCreateMetadataText(res));
  }
}
