// In plugin mode docker passes its own argv through: its global flags come before `buildx`.
export interface DockerGlobals {
  config?: string;
  context?: string;
  host?: string;
  debug?: boolean;
  logLevel?: string;
}

const WITH_VALUE = new Map<string, keyof DockerGlobals | undefined>([
  ['--config', 'config'], ['-c', 'context'], ['--context', 'context'], ['-H', 'host'], ['--host', 'host'],
  ['-l', 'logLevel'], ['--log-level', 'logLevel'], ['--tlscacert', undefined], ['--tlscert', undefined], ['--tlskey', undefined],
]);
const BOOLEAN = new Map<string, keyof DockerGlobals | undefined>([
  ['-D', 'debug'], ['--debug', 'debug'], ['--tls', undefined], ['--tlsverify', undefined],
]);

/** Splits `[docker globals…] buildx [args…]` into the globals and the plugin's own args. */
export function splitPluginArgv(argv: string[]): { globals: DockerGlobals; args: string[] } {
  const globals: DockerGlobals = {};
  const set = (k: keyof DockerGlobals | undefined, v: string | boolean) => {
    if (k) (globals as Record<string, string | boolean>)[k] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) return { globals, args: a === 'buildx' ? argv.slice(i + 1) : argv.slice(i) };
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (WITH_VALUE.has(name)) {
      if (eq > 0) set(WITH_VALUE.get(name), a.slice(eq + 1));
      else set(WITH_VALUE.get(name), argv[++i] ?? '');
    } else if (BOOLEAN.has(name)) {
      set(BOOLEAN.get(name), eq > 0 ? a.slice(eq + 1) !== 'false' : true);
    } else {
      return { globals, args: argv.slice(i) };
    }
  }
  return { globals, args: [] };
}
