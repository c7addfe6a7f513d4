// Parsers for `build` flag grammars (style.md "Flag grammars in one place"). Pure: no I/O, no env reads
// unless an env object is passed in.
export { FlagError } from './flag-error.js';
export { splitCSV, joinCSV, quoteCSVField, splitStringSlice } from './csv.js';
export * from './output.js';
export * from './keyvalue.js';
export * from './platform.js';
export * from './reference.js';
export * from './cache.js';
export * from './secret.js';
export * from './ssh.js';
export * from './context.js';
export * from './misc.js';
export * from './prune-filter.js';
export * from './attest.js';
