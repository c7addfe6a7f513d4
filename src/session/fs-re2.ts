// Translation of the Go (RE2) regular expressions that the pattern matcher builds into equivalent
// JavaScript ones. The Go source string is built by `patterns.ts` exactly as Go builds it, and escapes in a
// pattern reach the regex engine unchanged (`\d`, `\n`, `[[:alpha:]]` mean what RE2 says), so they are
// interpreted here with RE2's rules rather than handed to the JS engine, whose syntax differs. The same
// goes for the `{n,m}` repetitions and `|` alternations that Go lets through unescaped.

import { PatternSyntaxError } from './fs-glob.js';

type Range = [number, number];
type PieceKind = 'atom' | 'assert' | 'quant' | 'bar' | 'open';

const MAX_RUNE = 0x10ffff;

const PERL: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

const POSIX: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

// Unicode general categories as RE2 names them after `\p`; any other name is taken as a script.
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

const hex = (c: number): string => `\\u{${c.toString(16)}}`;

function classSource(ranges: Range[], extra: string[], negated: boolean): string {
  const body = ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('') + extra.join('');
  // An empty class would be a JS syntax quirk (`[]` never matches, `[^]` matches anything): spell it out.
  if (body === '') return negated ? '[\\s\\S]' : '[^\\s\\S]';
  return `[${negated ? '^' : ''}${body}]`;
}

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split('').map((c) => c.charCodeAt(0)));

function literal(c: number): string {
  if (JS_SYNTAX.has(c)) return '\\' + String.fromCodePoint(c);
  if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029) return hex(c);
  return String.fromCodePoint(c);
}

class Translator {
  private i = 0;
  constructor(private readonly cs: number[]) {}

  run(): string {
    // One output piece per RE2 element, so that a repetition can inspect and wrap what it applies to.
    const out: { src: string; kind: PieceKind }[] = [];
    const cs = this.cs;
    while (this.i < cs.length) {
      const c = cs[this.i];
      switch (c) {
        case 0x5c: {
          const start = this.i;
          const src = this.topEscape();
          const kind: PieceKind = cs[start + 1] === 0x41 || cs[start + 1] === 0x7a || cs[start + 1] === 0x62 || cs[start + 1] === 0x42 ? 'assert' : 'atom';
          out.push({ src, kind });
          break;
        }
        case 0x5b:
          out.push({ src: this.parseClass(), kind: 'atom' });
          break;
        case 0x2e:
          this.i++;
          out.push({ src: '[^\\n]', kind: 'atom' });
          break;
        case 0x5e:
        case 0x24:
          this.i++;
          out.push({ src: String.fromCodePoint(c), kind: 'assert' });
          break;
        case 0x28:
          this.i++;
          out.push({ src: '(', kind: 'open' });
          break;
        case 0x29:
          this.i++;
          out.push({ src: ')', kind: 'atom' });
          break;
        case 0x7c:
          this.i++;
          out.push({ src: '|', kind: 'bar' });
          break;
        case 0x2a:
        case 0x2b:
        case 0x3f:
          this.i++;
          this.repeat(out, String.fromCodePoint(c));
          break;
        case 0x7b: {
          const rep = this.parseRepeat();
          if (rep === undefined) {
            this.i++;
            out.push({ src: '\\{', kind: 'atom' });
          } else {
            this.repeat(out, rep);
          }
          break;
        }
        default:
          this.i++;
          out.push({ src: literal(c), kind: 'atom' });
      }
    }
    return out.map((p) => p.src).join('');
  }

  // Applies a repetition operator to the previous piece with RE2's rules: no operand or a stacked
  // operator is an error; an assertion may be repeated in RE2 but not in JS, hence the group.
  private repeat(out: { src: string; kind: PieceKind }[], op: string): void {
    const prev = out[out.length - 1];
    if (prev === undefined || prev.kind === 'bar' || prev.kind === 'open' || prev.kind === 'quant') {
      throw new PatternSyntaxError();
    }
    if (prev.kind === 'assert') prev.src = `(?:${prev.src})`;
    out.push({ src: op, kind: 'quant' });
  }

  // `{n}`, `{n,}`, `{n,m}` as RE2 reads them; undefined when the brace is a literal.
  private parseRepeat(): string | undefined {
    const cs = this.cs;
    let j = this.i + 1;
    const int = (): number | undefined => {
      if (!(cs[j] >= 0x30 && cs[j] <= 0x39)) return undefined;
      if (cs[j] === 0x30 && cs[j + 1] >= 0x30 && cs[j + 1] <= 0x39) return undefined;
      let n = 0;
      while (cs[j] >= 0x30 && cs[j] <= 0x39) {
        n = n >= 1e8 ? n : n * 10 + (cs[j] - 0x30);
        j++;
      }
      return n;
    };
    const min = int();
    if (min === undefined || j >= cs.length) return undefined;
    let max: number | undefined = min;
    if (cs[j] === 0x2c) {
      j++;
      if (j >= cs.length) return undefined;
      if (cs[j] === 0x7d) max = undefined;
      else {
        max = int();
        if (max === undefined) return undefined;
      }
    }
    if (cs[j] !== 0x7d) return undefined;
    if (min > 1000 || (max !== undefined && (max > 1000 || min > max))) throw new PatternSyntaxError();
    this.i = j + 1;
    return max === undefined ? `{${min},}` : max === min ? `{${min}}` : `{${min},${max}}`;
  }

  // Escapes valid outside a class: assertions, \Q..\E, classes, then the escapes shared with classes.
  private topEscape(): string {
    const cs = this.cs;
    const c = cs[this.i + 1];
    if (c === undefined) throw new PatternSyntaxError();
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case 'A':
        this.i += 2;
        return '^';
      case 'z':
        this.i += 2;
        return '$';
      case 'b':
      case 'B':
        this.i += 2;
        return '\\' + ch;
      case 'Q': {
        this.i += 2;
        let out = '';
        while (this.i < cs.length) {
          if (cs[this.i] === 0x5c && cs[this.i + 1] === 0x45) {
            this.i += 2;
            break;
          }
          out += literal(cs[this.i++]);
        }
        return out;
      }
    }
    const cls = this.classEscape();
    if (cls !== undefined) return cls.negated ? classSource(cls.ranges, [], true) : cls.source;
    return literal(this.escape());
  }

  // `\d`-style and `\pX` classes; undefined when the escape is not a class.
  private classEscape(): { ranges: Range[]; source: string; negated: boolean; token?: string } | undefined {
    const cs = this.cs;
    const ch = String.fromCodePoint(cs[this.i + 1]);
    const lower = ch.toLowerCase();
    if (lower in PERL && 'dswDSW'.includes(ch)) {
      this.i += 2;
      const ranges = PERL[lower];
      const negated = ch !== lower;
      return { ranges, negated, source: classSource(ranges, [], negated) };
    }
    if (ch === 'p' || ch === 'P') {
      let name: string;
      let end: number;
      const first = cs[this.i + 2];
      if (first === undefined) throw new PatternSyntaxError();
      if (first === 0x7b) {
        end = cs.indexOf(0x7d, this.i + 3);
        if (end < 0) throw new PatternSyntaxError();
        name = String.fromCodePoint(...cs.slice(this.i + 3, end));
        end++;
      } else {
        name = String.fromCodePoint(first);
        end = this.i + 3;
      }
      let negated = ch === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      this.i = end;
      if (name === 'Any') {
        const ranges: Range[] = [[0, MAX_RUNE]];
        return { ranges, negated, source: classSource(ranges, [], negated) };
      }
      const token = `\\${negated ? 'P' : 'p'}{${CATEGORIES.has(name) ? name : `Script=${name}`}}`;
      try {
        new RegExp(token, 'u');
      } catch {
        throw new PatternSyntaxError();
      }
      return { ranges: [], negated: false, source: token, token };
    }
    return undefined;
  }

  // The escapes RE2 accepts both inside and outside classes; returns the code point.
  private escape(): number {
    const cs = this.cs;
    const c = cs[this.i + 1];
    if (c === undefined) throw new PatternSyntaxError();
    this.i += 2;
    if (c >= 0x31 && c <= 0x37 && !isOctal(cs[this.i])) throw new PatternSyntaxError();
    if (c >= 0x30 && c <= 0x37) {
      let r = c - 0x30;
      for (let k = 1; k < 3 && isOctal(cs[this.i]); k++) r = r * 8 + (cs[this.i++] - 0x30);
      return r;
    }
    if (c === 0x78) {
      if (cs[this.i] === 0x7b) {
        let j = this.i + 1;
        let v = 0;
        let n = 0;
        while (isHex(cs[j])) {
          v = v * 16 + parseInt(String.fromCodePoint(cs[j]), 16);
          if (v > MAX_RUNE) throw new PatternSyntaxError();
          j++;
          n++;
        }
        if (n === 0 || cs[j] !== 0x7d) throw new PatternSyntaxError();
        this.i = j + 1;
        return v;
      }
      if (!isHex(cs[this.i]) || !isHex(cs[this.i + 1])) throw new PatternSyntaxError();
      const v = parseInt(String.fromCodePoint(cs[this.i], cs[this.i + 1]), 16);
      this.i += 2;
      return v;
    }
    const simple = SIMPLE_ESCAPES[String.fromCodePoint(c)];
    if (simple !== undefined) return simple;
    if (c < 0x80 && !isAlnum(c)) return c;
    throw new PatternSyntaxError();
  }

  private parseClass(): string {
    const cs = this.cs;
    this.i++;
    let negated = false;
    if (cs[this.i] === 0x5e) {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    const extra: string[] = [];
    let first = true;
    for (;;) {
      const c = cs[this.i];
      if (c === undefined) throw new PatternSyntaxError();
      if (c === 0x5d && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === 0x5b && cs[this.i + 1] === 0x3a) {
        const named = this.namedClass();
        if (named !== undefined) {
          ranges.push(...named);
          continue;
        }
      }
      if (c === 0x5c && cs[this.i + 1] !== undefined) {
        const cls = this.classEscape();
        if (cls !== undefined) {
          if (cls.token !== undefined) extra.push(cls.token);
          else ranges.push(...(cls.negated ? complement(cls.ranges) : cls.ranges));
          continue;
        }
      }
      const lo = this.classChar();
      let hi = lo;
      if (cs[this.i] === 0x2d && cs[this.i + 1] !== undefined && cs[this.i + 1] !== 0x5d) {
        this.i++;
        hi = this.classChar();
        if (hi < lo) throw new PatternSyntaxError();
      }
      ranges.push([lo, hi]);
    }
    return classSource(ranges, extra, negated);
  }

  private classChar(): number {
    const c = this.cs[this.i];
    if (c === undefined) throw new PatternSyntaxError();
    if (c === 0x5c) return this.escape();
    this.i++;
    return c;
  }

  // `[:name:]` / `[:^name:]`; undefined (and nothing consumed) when there is no closing `:]` at all.
  private namedClass(): Range[] | undefined {
    const cs = this.cs;
    let end = -1;
    for (let j = this.i + 2; j + 1 < cs.length; j++) {
      if (cs[j] === 0x3a && cs[j + 1] === 0x5d) {
        end = j;
        break;
      }
    }
    if (end < 0) return undefined;
    let name = String.fromCodePoint(...cs.slice(this.i + 2, end));
    let negated = false;
    if (name.startsWith('^')) {
      negated = true;
      name = name.slice(1);
    }
    const ranges = Object.prototype.hasOwnProperty.call(POSIX, name) ? POSIX[name] : undefined;
    if (ranges === undefined) throw new PatternSyntaxError();
    this.i = end + 2;
    return negated ? complement(ranges) : ranges;
  }
}

/** Compiles an RE2 expression (as built for a pattern) into a JS RegExp; throws PatternSyntaxError. */
export function compileRe2(source: string): RegExp {
  const cps: number[] = [];
  for (const ch of source) cps.push(ch.codePointAt(0)!);
  const js = new Translator(cps).run();
  try {
    return new RegExp(js, 'u');
  } catch {
    throw new PatternSyntaxError();
  }
}
