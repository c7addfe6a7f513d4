import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { bootDisplay } from '../../cli/progress-display.js';
import { serveTraces } from '../../cli/trace-server.js';
import { BuildxError, historyTraceJaeger } from '../../index.js';

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
    this.cobraMaxArgs(args, 1);
    const opts = { builder: flags.builder, bootProgress: bootDisplay() };
    const main = await historyTraceJaeger(args[0] ?? '', opts);
    // Like buildx: off a terminal the trace itself is the output, unless two are to be compared.
    if (!process.stdout.isTTY && !flags.compare) {
      process.stdout.write(`${main.json}\n`);
      return;
    }
    const traces = [main];
    if (flags.compare) {
      try {
        traces.unshift(await historyTraceJaeger(flags.compare, opts));
      } catch (err) {
        throw new BuildxError(`failed to load trace for ${flags.compare}: ${(err as Error).message}`, 1, { cause: err });
      }
    }
    await serveTraces(flags.addr, traces);
  }
}
