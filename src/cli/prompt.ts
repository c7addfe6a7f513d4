// A yes/no question on the terminal, answered "no" when stdin ends without a line (CI, `</dev/null`),
// as buildx's prompt does.
import { createInterface } from 'node:readline';

export function confirm(question: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<boolean> {
  return new Promise((resolve) => {
    output.write(question);
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      // buildx takes exactly `y` or `Y`, without trimming.
      resolve(line === 'y' || line === 'Y');
    });
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}
