import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { writeNamedFile } from '../cli/files.js';
import { BuildxError, readTimelineFile, renderTimelineHTML, renderTimelineSVG, timelineFormatFor } from '../index.js';

export default class Timeline extends BaseCommand {
  static override summary = 'Draw a timeline of a build from its saved --progress=rawjson output';
  static override use = 'timeline [OPTIONS] RAWJSON_FILE';
  static override strict = false;
  static override args = { rawjson_file: Args.string({ required: false, description: 'A file holding the output of --progress=rawjson' }) };
  static override examples = [
    '<%= config.bin %> build --progress=rawjson . 2> build.jsonl',
    '<%= config.bin %> <%= command.id %> build.jsonl -o timeline.html',
  ];
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Write the picture to a file (".svg" or ".html"); default: SVG to stdout', helpValue: 'FILE' }),
    title: Flags.string({ description: 'Title shown above the timeline', helpValue: 'string' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Timeline);
    this.exactArgs(argv as string[], 1);
    const input = argv[0] as string;
    const output = flags.output === '-' ? undefined : flags.output;
    // Checked before reading anything, so a bad name costs nothing and leaves nothing behind.
    const format = output === undefined ? 'svg' : timelineFormatFor(output);
    const timeline = await readTimelineFile(input);
    if (timeline.steps.length === 0) throw new BuildxError(`${input}: no build steps found (expected the output of --progress=rawjson)`);
    const opts = { title: flags.title };
    const picture = format === 'html' ? renderTimelineHTML(timeline, opts) : renderTimelineSVG(timeline, opts);
    if (output === undefined) process.stdout.write(picture);
    else await writeNamedFile(output, picture);
  }
}
