// Colours of the tty display (protocol.md §5.3): finished steps blue (cyan on Windows, where dark blue is
// hard to read), failed red, cancelled and warnings yellow, log tails faint. NO_COLOR turns all styling
// off; BUILDKIT_COLORS (`run=…:cancel=…:warning=…:error=…`, each a colour name or `R,G,B`) replaces the
// defaults. chalk is loaded only when there is something to colour, so plain and rawjson runs never pay
// for it.
import type { ChalkInstance, ForegroundColorName } from 'chalk';

export type ColorRole = 'run' | 'cancel' | 'warning' | 'error';

export type ColorSpec = { name: ColorName } | { rgb: readonly [number, number, number] };

export type Palette = Record<ColorRole, ColorSpec>;

/** chalk's colour depth: 0 none, 1 the 16 basic colours, 2 256 colours, 3 24-bit. */
export type ColorLevel = 0 | 1 | 2 | 3;

/** Wraps a line in the escape codes of its role. */
export interface Styler {
  run(text: string): string;
  cancel(text: string): string;
  warning(text: string): string;
  error(text: string): string;
  faint(text: string): string;
}

const identity = (text: string) => text;

export const noStyle: Styler = { run: identity, cancel: identity, warning: identity, error: identity, faint: identity };

/** The names BUILDKIT_COLORS accepts; `default` is the terminal's own foreground colour. */
const NAMES = {
  default: undefined,
  black: 'black',
  red: 'red',
  green: 'green',
  yellow: 'yellow',
  blue: 'blue',
  magenta: 'magenta',
  cyan: 'cyan',
  white: 'white',
  'light-black': 'blackBright',
  'light-red': 'redBright',
  'light-green': 'greenBright',
  'light-yellow': 'yellowBright',
  'light-blue': 'blueBright',
  'light-magenta': 'magentaBright',
  'light-cyan': 'cyanBright',
  'light-white': 'whiteBright',
} as const satisfies Record<string, ForegroundColorName | undefined>;

export type ColorName = keyof typeof NAMES;

const ROLES: readonly ColorRole[] = ['run', 'cancel', 'warning', 'error'];

export function defaultPalette(platform: NodeJS.Platform = process.platform): Palette {
  return {
    run: { name: platform === 'win32' ? 'cyan' : 'blue' },
    cancel: { name: 'yellow' },
    warning: { name: 'yellow' },
    error: { name: 'red' },
  };
}

export interface ParsedColors {
  /** Only the roles the value set. */
  colors: Partial<Palette>;
  /** One message per entry that was ignored. */
  problems: string[];
}

/** BUILDKIT_COLORS: `role=value` entries separated by `:`; a bad entry is skipped, the rest still apply. */
export function parseBuildkitColors(value: string): ParsedColors {
  const colors: Partial<Palette> = {};
  const problems: string[] = [];
  for (const entry of value.split(':')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq === -1) {
      problems.push(`invalid BUILDKIT_COLORS entry ${JSON.stringify(entry)}: expected key=value`);
      continue;
    }
    const key = entry.slice(0, eq).trim().toLowerCase();
    const val = entry.slice(eq + 1).trim();
    if (!(ROLES as readonly string[]).includes(key)) {
      problems.push(`unknown key ${JSON.stringify(key)} in BUILDKIT_COLORS (expected run, cancel, warning or error)`);
      continue;
    }
    const spec = parseColor(val);
    if (!spec) {
      problems.push(`invalid color ${JSON.stringify(val)} for ${key} in BUILDKIT_COLORS`);
      continue;
    }
    colors[key as ColorRole] = spec;
  }
  return { colors, problems };
}

function parseColor(value: string): ColorSpec | undefined {
  if (value.includes(',')) {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.length !== 3 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
    const [r, g, b] = parts.map(Number) as [number, number, number];
    if (r > 255 || g > 255 || b > 255) return undefined;
    return { rgb: [r, g, b] };
  }
  const name = value.toLowerCase();
  return Object.hasOwn(NAMES, name) ? { name: name as ColorName } : undefined;
}

export interface ColorSettings {
  level: ColorLevel;
  palette: Palette;
}

/** What the environment asks for: NO_COLOR (any non-empty value) wins over BUILDKIT_COLORS. */
export function colorSettings(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): ColorSettings {
  const palette = defaultPalette(platform);
  if (env.NO_COLOR) return { level: 0, palette };
  if (env.BUILDKIT_COLORS) Object.assign(palette, parseBuildkitColors(env.BUILDKIT_COLORS).colors);
  // The display only runs on a terminal, so some colour is always possible; depth follows the usual hints.
  const level: ColorLevel = /^(truecolor|24bit)$/i.test(env.COLORTERM ?? '') ? 3 : /256/.test(env.TERM ?? '') ? 2 : 1;
  return { level, palette };
}

/** A Styler for `settings`; imports chalk only when colours are on. */
export async function loadStyler(settings: ColorSettings): Promise<Styler> {
  if (settings.level === 0) return noStyle;
  const { Chalk } = await import('chalk');
  return stylerFromChalk(new Chalk({ level: settings.level }), settings.palette);
}

export function stylerFromChalk(chalk: ChalkInstance, palette: Palette): Styler {
  const paint = (spec: ColorSpec): ((text: string) => string) => {
    if ('rgb' in spec) {
      const c = chalk.rgb(...spec.rgb);
      return (text) => c(text);
    }
    const name = NAMES[spec.name];
    if (name === undefined) return identity;
    const c = chalk[name];
    return (text) => c(text);
  };
  const faint = chalk.dim;
  return {
    run: paint(palette.run),
    cancel: paint(palette.cancel),
    warning: paint(palette.warning),
    error: paint(palette.error),
    faint: (text) => faint(text),
  };
}
