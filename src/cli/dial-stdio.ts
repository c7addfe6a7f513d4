// `dial-stdio`: the command's side — which renderer shows the proxy step, and this process's stdio.
import { dialStdio, resolveBuilder } from '../index.js';
import { createDisplay, progressMode } from './progress-display.js';
import { rootSignal } from './signals.js';

export interface DialStdioInput {
  builder?: string;
  platform?: string;
  /** `--progress`; `none` (buildx's default here) shows nothing. */
  progress: string;
}

export async function runDialStdio(input: DialStdioInput, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const mode = progressMode({ flag: input.progress, env, out: process.stderr });
  // buildx's dial-stdio hashes the working directory for a sticky kubernetes builder.
  const builder = await resolveBuilder({ name: input.builder, env, contextKey: process.cwd() });
  const progress = createDisplay(mode, {
    env, out: process.stderr, description: `builder: ${builder.name}`, consoleDescription: `builder:${builder.name}`,
  });
  await dialStdio({ builder, platform: input.platform, progress, env, signal: rootSignal() });
}
