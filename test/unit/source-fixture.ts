// Fixture files stay in the source tree while the tests run compiled from another one: they are found
// by walking up from the compiled test to a folder that has `test/unit/<folder>/fixtures/<name>`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function sourceFixture(folder: string, name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test/unit', folder, 'fixtures', name);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    const up = dirname(dir);
    if (up === dir) throw new Error(`fixture ${folder}/${name} not found`);
    dir = up;
  }
}
