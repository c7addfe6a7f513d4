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

/**
 * buildx's own persistent flags (`--builder`, `--debug`/`-D`) may come before the command, as cobra
 * allows (`buildx --builder x ls`); oclif reads flags after the command id, so they are moved there.
 */
/** Command groups and their subcommands, for hoisting root flags past a whole command path. */
const TOPIC_SUBCOMMANDS: Record<string, readonly string[]> = {
  history: ['export', 'import', 'inspect', 'logs', 'ls', 'open', 'rm', 'trace'],
  'history inspect': ['attachment'],
};

export function hoistRootFlags(args: string[]): string[] {
  const hoisted: string[] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--builder' && i + 1 < args.length) {
      hoisted.push(a, args[i + 1]!);
      i += 2;
    } else if (a.startsWith('--builder=') || a === '--debug' || a === '-D' || a.startsWith('--debug=')) {
      hoisted.push(a);
      i++;
    } else break;
  }
  if (!hoisted.length || i >= args.length || args[i]!.startsWith('-')) return args;
  // The flags go after the whole command path (`history inspect attachment`), not inside it.
  let path = args[i]!;
  let end = i + 1;
  while (end < args.length && TOPIC_SUBCOMMANDS[path]?.includes(args[end]!)) path = `${path} ${args[end++]!}`;
  return [...args.slice(i, end), ...hoisted, ...args.slice(end)];
}
