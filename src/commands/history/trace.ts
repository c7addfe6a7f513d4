import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { serveTrace } from '../../cli/trace-server.js';
import { historyTrace } from '../../index.js';

export default class HistoryTrace extends BaseCommand {
  static override summary = 'Show the OpenTelemetry trace of a build record';
  static override use = 'history trace [OPTIONS] [REF]';
  static override strict = false;
  static override flags = {
    addr: Flags.string({ default: '127.0.0.1:0', description: 'Address to bind the UI server' }),
    compare: Flags.string({ description: 'Compare with another build record' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(HistoryTrace);
    const args = argv as string[];
    this.maxArgs(args, 1);
    const opts = { builder: flags.builder, bootProgress: bootDisplay() };
    const trace = historyTrace(args[0] ?? '', opts);
    if (!process.stdout.isTTY && !flags.compare) {
      for await (const c of trace) if (!process.stdout.write(c)) await new Promise((r) => process.stdout.once('drain', r));
      return;
    }
    const compare = flags.compare ? historyTrace(flags.compare, opts) : undefined;
    await serveTrace(flags.addr, trace, compare);
  }
}
