// A node:test reporter that tallies every test (not suites) by file and outcome, and writes the tally as
// JSON to its destination; scripts/test.mjs reads it to refuse a run in which e2e tests went missing.
export default async function* countReporter(source) {
  const files = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    const f = (files[data.file ?? '?'] ??= { passed: 0, failed: 0, skipped: 0, todo: 0, skips: [] });
    if (data.skip !== undefined && data.skip !== false) {
      f.skipped++;
      f.skips.push({ name: data.name, reason: data.skip === true ? '' : String(data.skip) });
    } else if (data.todo !== undefined && data.todo !== false) f.todo++;
    else if (event.type === 'test:pass') f.passed++;
    else f.failed++;
  }
  yield `${JSON.stringify(files)}\n`;
}
