// A yes/no question on the terminal, answered "no" when stdin ends without a line (CI, `</dev/null`),
// as buildx's prompt does.
import { createInterface } from 'node:readline';

export function confirm(question: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let answered = false;
    output.write(question);
    const rl = createInterface({ input, terminal: false });
    // An interrupt ends the wait with the interrupt's error, as buildx's prompt returns the context's cause.
    const onAbort = () => {
      answered = true;
      rl.close();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      // buildx takes exactly `y` or `Y`, without trimming.
      resolve(line === 'y' || line === 'Y');
    });
    rl.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!answered) resolve(false);
    });
  });
}
