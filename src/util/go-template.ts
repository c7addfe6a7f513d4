// A subset of Go's text/template, as docker's CLI formatter uses it (`--format '{{.ID}}\t{{json .}}'`):
// fields, pipelines, if/else/range/with, variables, trim markers, literals and Go's builtin functions,
// with Go's parse and exec error texts. Plain objects stand for Go structs (a missing key is an error);
// `Map` instances stand for Go maps (a missing key prints `<no value>`).

export class GoTemplateError extends Error {}

export interface GoTemplate {
  execute(data: unknown): string;
}

export type GoFunc = (...a: unknown[]) => unknown;

/** Names the Go type of a data object in exec errors (`can't evaluate field X in type <name>`). */
export const GO_TYPE_NAME: unique symbol = Symbol('goTypeName');

/** What a missing map key evaluates to (printed `<no value>`). */
const NO_VALUE = Symbol('noValue');

// ---------------------------------------------------------------- lexer

type TokKind = 'text' | 'left' | 'right' | 'field' | 'dot' | 'var' | 'ident' | 'string' | 'number' | 'bool' | 'nil'
  | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'keyword' | 'eof' | 'space' | 'char';

interface Token { kind: TokKind; val: string; pos: number; line: number }

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil']);

function parseError(line: number, msg: string): GoTemplateError {
  return new GoTemplateError(`template: :${line}: ${msg}`);
}

function lex(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let line = 1;
  const lineAt = (p: number) => 1 + (src.slice(0, p).match(/\n/g)?.length ?? 0);
  while (i < src.length) {
    let open = src.indexOf('{{', i);
    if (open < 0) open = src.length;
    let textEnd = open;
    const trimLeft = /^\{\{-[\t\r\n ]/.test(src.slice(open, open + 4));
    if (trimLeft) while (textEnd > i && /[\t\r\n ]/.test(src[textEnd - 1]!)) textEnd--;
    if (textEnd > i) toks.push({ kind: 'text', val: src.slice(i, textEnd), pos: i, line: lineAt(i) });
    if (open >= src.length) break;
    line = lineAt(open);
    let p = open + (trimLeft ? 4 : 2);
    // Comments: {{/* ... */}}, whole action.
    if (src.startsWith('/*', p)) {
      const end = src.indexOf('*/', p + 2);
      if (end < 0) throw parseError(line, 'unclosed comment');
      let q = end + 2;
      let trimR = false;
      if (/^[\t\r\n ]-\}\}/.test(src.slice(q, q + 4))) { trimR = true; q += 2; }
      if (!src.startsWith('}}', q)) throw parseError(line, 'comment ends before closing delimiter');
      i = q + 2;
      if (trimR) while (i < src.length && /[\t\r\n ]/.test(src[i]!)) i++;
      continue;
    }
    toks.push({ kind: 'left', val: '{{', pos: open, line });
    for (;;) {
      if (p >= src.length) throw parseError(lineAt(p), 'unclosed action');
      const c = src[p]!;
      const tokLine = lineAt(p);
      if (/[\t\r\n ]/.test(c)) {
        const st = p;
        while (p < src.length && /[\t\r\n ]/.test(src[p]!)) p++;
        if (src.startsWith('-}}', p) && p > st) {
          toks.push({ kind: 'right', val: '}}', pos: p, line: tokLine });
          i = p + 3;
          while (i < src.length && /[\t\r\n ]/.test(src[i]!)) i++;
          break;
        }
        toks.push({ kind: 'space', val: ' ', pos: st, line: tokLine });
        continue;
      }
      if (src.startsWith('}}', p)) {
        toks.push({ kind: 'right', val: '}}', pos: p, line: tokLine });
        i = p + 2;
        break;
      }
      const push = (kind: TokKind, len: number) => {
        toks.push({ kind, val: src.slice(p, p + len), pos: p, line: tokLine });
        p += len;
      };
      if (c === '|') { push('pipe', 1); continue; }
      if (c === '(') { push('lparen', 1); continue; }
      if (c === ')') { push('rparen', 1); continue; }
      if (c === ',') { push('comma', 1); continue; }
      if (c === ':' ) {
        if (src[p + 1] !== '=') throw parseError(tokLine, 'expected :=');
        push('declare', 2);
        continue;
      }
      if (c === '=') { push('assign', 1); continue; }
      if (c === '"') {
        let q = p + 1;
        while (q < src.length && src[q] !== '"') {
          if (src[q] === '\\') q++;
          if (src[q] === '\n') throw parseError(tokLine, 'unterminated quoted string');
          q++;
        }
        if (q >= src.length) throw parseError(tokLine, 'unterminated quoted string');
        push('string', q + 1 - p);
        continue;
      }
      if (c === '`') {
        const q = src.indexOf('`', p + 1);
        if (q < 0) throw parseError(tokLine, 'unterminated raw quoted string');
        push('string', q + 1 - p);
        continue;
      }
      if (c === "'") {
        const m = /^'(\\.|[^'\\])+'/u.exec(src.slice(p));
        if (!m) throw parseError(tokLine, 'unterminated character constant');
        push('char', m[0].length);
        continue;
      }
      if (c === '$') {
        const m = /^\$[\p{L}_\d]*/u.exec(src.slice(p))!;
        push('var', m[0].length);
        continue;
      }
      if (c === '.') {
        const m = /^\.[\p{L}_][\p{L}_\d]*/u.exec(src.slice(p));
        if (m) { push('field', m[0].length); continue; }
        if (!/\d/.test(src[p + 1] ?? '')) { push('dot', 1); continue; }
      }
      if (/[\d+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(p));
        if (m && m[0] && /\d/.test(m[0])) { push('number', m[0].length); continue; }
        throw parseError(tokLine, `unexpected "${c}" in command`);
      }
      if (/[\p{L}_]/u.test(c)) {
        const m = /^[\p{L}_][\p{L}_\d]*/u.exec(src.slice(p))!;
        const w = m[0];
        if (w === 'true' || w === 'false') push('bool', w.length);
        else if (w === 'nil') push('nil', w.length);
        else if (KEYWORDS.has(w)) push('keyword', w.length);
        else push('ident', w.length);
        continue;
      }
      throw parseError(tokLine, `unrecognized character in action: ${goQuoteRune(c)}`);
    }
  }
  toks.push({ kind: 'eof', val: '', pos: src.length, line: lineAt(src.length) });
  return toks;
}

function goQuoteRune(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

// ---------------------------------------------------------------- parse tree

type Arg =
  | { t: 'field'; pos: number; recv?: Arg; names: string[]; text: string }
  | { t: 'dot'; pos: number; text: string }
  | { t: 'var'; pos: number; name: string; names: string[]; text: string }
  | { t: 'ident'; pos: number; name: string; text: string }
  | { t: 'lit'; pos: number; value: unknown; text: string }
  | { t: 'pipe'; pos: number; pipe: Pipe; text: string };

interface Cmd { pos: number; args: Arg[]; text: string }
interface Pipe { pos: number; decl: string[]; assign: boolean; cmds: Cmd[]; text: string }

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pos: number; pipe: Pipe }
  | { t: 'if' | 'with'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { t: 'range'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { t: 'break' | 'continue'; pos: number };

function unquote(tok: Token): string {
  if (tok.val.startsWith('`')) return tok.val.slice(1, -1);
  try {
    return JSON.parse(tok.val.replace(/\\x([\da-fA-F]{2})/g, '\\u00$1').replace(/\\([abfv'])/g, (_, e: string) =>
      ({ a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b', "'": "'" })[e]!)) as string;
  } catch {
    throw parseError(tok.line, `invalid syntax`);
  }
}

function parseNumber(tok: Token): number {
  const s = tok.val.replace(/_/g, '');
  const n = /^[+-]?0[oO]/.test(s) ? Number(s.replace(/0[oO]/, '0o')) : Number(s);
  if (Number.isNaN(n)) throw parseError(tok.line, `illegal number syntax: "${tok.val}"`);
  return n;
}

class Parser {
  private i = 0;
  private rangeDepth = 0;
  private vars: string[][] = [['$']];

  constructor(private readonly toks: Token[], private readonly funcs: Map<string, GoFunc>) {}

  private peek(): Token { return this.toks[this.i]!; }
  private next(): Token { return this.toks[this.i++]!; }
  private peekNonSpace(): Token {
    let t = this.peek();
    while (t.kind === 'space') { this.i++; t = this.peek(); }
    return t;
  }
  private nextNonSpace(): Token { const t = this.peekNonSpace(); this.i++; return t; }

  parseAll(): Node[] {
    const [list, end] = this.itemList(true);
    if (end) throw parseError(end.line, `unexpected ${end.val === 'end' ? '{{end}}' : `{{${end.val}}}`}`);
    return list;
  }

  /** Nodes until {{end}}/{{else}} (returned) or EOF (top level only). */
  private itemList(top: boolean): [Node[], Token | undefined] {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') {
        if (!top) throw parseError(t.line, 'unexpected EOF');
        return [list, undefined];
      }
      if (t.kind === 'text') { list.push({ t: 'text', text: t.val }); continue; }
      // t is '{{'
      const k = this.peekNonSpace();
      if (k.kind === 'keyword') {
        switch (k.val) {
          case 'end': case 'else':
            this.next();
            if (top) throw parseError(k.line, `unexpected {{${k.val}}}`);
            return [list, k];
          case 'if': case 'with': case 'range':
            this.next();
            list.push(this.control(k));
            continue;
          case 'break': case 'continue': {
            this.next();
            if (this.rangeDepth === 0) throw parseError(k.line, `{{${k.val}}} outside {{range}}`);
            const r = this.nextNonSpace();
            if (r.kind !== 'right') throw parseError(k.line, `unexpected ${describe(r)} in {{${k.val}}}`);
            list.push({ t: k.val, pos: k.pos });
            continue;
          }
          case 'define': case 'template': case 'block':
            throw parseError(k.line, `{{${k.val}}} is not supported`);
          default:
            break;
        }
      }
      const pipe = this.pipeline('command', 'right');
      list.push({ t: 'action', pos: pipe.pos, pipe });
    }
  }

  private control(k: Token): Node {
    const ctx = k.val as 'if' | 'with' | 'range';
    this.vars.push([...this.vars.at(-1)!]);
    const pipe = this.pipeline(ctx, 'right');
    if (ctx === 'range') this.rangeDepth++;
    let [list, end] = this.itemList(false);
    if (ctx === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end!.val === 'else') {
      const n = this.peekNonSpace();
      if ((ctx === 'if' && n.kind === 'keyword' && n.val === 'if') || (ctx === 'with' && n.kind === 'keyword' && n.val === 'with')) {
        // {{else if x}} / {{else with x}}: a nested control ending at the same {{end}}.
        this.next();
        elseList = [this.control(n)];
        this.vars.pop();
        return { t: ctx, pos: pipe.pos, pipe, list, elseList };
      }
      const r = this.nextNonSpace();
      if (r.kind !== 'right') throw parseError(r.line, `unexpected ${describe(r)} in else`);
      [elseList, end] = this.itemList(false);
      if (end!.val !== 'end') throw parseError(end!.line, 'expected end; found {{else}}');
    }
    const r = this.nextNonSpace();
    if (r.kind !== 'right') throw parseError(r.line, `unexpected ${describe(r)} in end`);
    this.vars.pop();
    return { t: ctx, pos: pipe.pos, pipe, list, elseList };
  }

  private pipeline(ctx: string, endKind: TokKind): Pipe {
    const start = this.peekNonSpace();
    const pipe: Pipe = { pos: start.pos, decl: [], assign: false, cmds: [], text: '' };
    // Variable declarations: `$x :=`, `$i, $e :=`, `$x =`.
    const save = this.i;
    const v = this.peekNonSpace();
    if (v.kind === 'var') {
      this.next();
      const after = this.peekNonSpace();
      if (after.kind === 'declare' || after.kind === 'assign') {
        this.next();
        pipe.decl.push(v.val);
        pipe.assign = after.kind === 'assign';
        if (after.kind === 'declare') this.vars.at(-1)!.push(v.val);
        else if (!this.vars.at(-1)!.includes(v.val)) throw parseError(v.line, `undefined variable "${v.val}"`);
      } else if (after.kind === 'comma' && ctx === 'range') {
        this.next();
        const v2 = this.nextNonSpace();
        const d = this.nextNonSpace();
        if (v2.kind !== 'var' || d.kind !== 'declare') throw parseError(v2.line, 'range can only initialize variables');
        pipe.decl.push(v.val, v2.val);
        this.vars.at(-1)!.push(v.val, v2.val);
      } else {
        this.i = save;
      }
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === endKind) {
        this.next();
        if (pipe.cmds.length === 0) throw parseError(t.line, `missing value for ${ctx}`);
        break;
      }
      if (t.kind === 'eof') throw parseError(t.line, 'unclosed action');
      const c = this.command(ctx, endKind);
      if (pipe.cmds.length > 0 && (c.args[0]!.t === 'lit' || c.args[0]!.t === 'dot')) {
        throw parseError(t.line, `non executable command in pipeline stage ${pipe.cmds.length + 1}`);
      }
      pipe.cmds.push(c);
    }
    pipe.text = (pipe.decl.length ? `${pipe.decl.join(', ')} ${pipe.assign ? '=' : ':='} ` : '') + pipe.cmds.map((c) => c.text).join(' | ');
    return pipe;
  }

  private command(ctx: string, endKind: TokKind): Cmd & { piped: boolean } {
    const start = this.peekNonSpace();
    const cmd = { pos: start.pos, args: [] as Arg[], text: '', piped: false };
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === endKind) break;
      if (t.kind === 'pipe') { this.next(); cmd.piped = true; break; }
      if (t.kind === 'eof') throw parseError(t.line, 'unclosed action');
      if (t.kind === 'rparen') throw parseError(t.line, 'unexpected right paren');
      const op = this.operand();
      if (!op) throw parseError(t.line, `unexpected ${describe(t)} in ${ctx === 'command' ? 'command' : ctx}`);
      const n = this.peek();
      if (n.kind === 'rparen' && endKind !== 'rparen') throw parseError(n.line, 'unexpected right paren');
      if (n.kind !== 'space' && n.kind !== endKind && n.kind !== 'pipe' && n.kind !== 'eof') throw parseError(n.line, `unexpected ${describe(n)} in operand`);
      cmd.args.push(op);
    }
    if (cmd.args.length === 0) throw parseError(start.line, 'empty command');
    cmd.text = cmd.args.map((a) => a.text).join(' ');
    return cmd;
  }

  private operand(): Arg | undefined {
    let node = this.term();
    if (!node) return undefined;
    let chained = false;
    // Chained fields: (x).Field, $x.Field is lexed as var + field.
    while (this.peek().kind === 'field') {
      const f = this.next();
      const names = f.val.slice(1).split('.');
      // Go reports a chain at its first chained segment.
      if (!chained) node = { ...node, pos: f.pos };
      chained = true;
      if (node.t === 'var') { node = { ...node, names: [...node.names, ...names], text: node.text + f.val }; continue; }
      if (node.t === 'field') { node = { ...node, names: [...node.names, ...names], text: node.text + f.val }; continue; }
      if (node.t === 'lit' || node.t === 'ident') throw parseError(f.line, `unexpected . after term ${JSON.stringify(node.text)}`);
      node = { t: 'field', pos: node.pos, recv: node, names, text: node.text + f.val };
    }
    return node;
  }

  private term(): Arg | undefined {
    const t = this.peek();
    switch (t.kind) {
      case 'field': this.next(); return { t: 'field', pos: t.pos, names: t.val.slice(1).split('.'), text: t.val };
      case 'dot': this.next(); return { t: 'dot', pos: t.pos, text: '.' };
      case 'var': {
        this.next();
        if (!this.vars.at(-1)!.includes(t.val)) throw parseError(t.line, `undefined variable "${t.val}"`);
        return { t: 'var', pos: t.pos, name: t.val, names: [], text: t.val };
      }
      case 'ident':
        this.next();
        if (!this.funcs.has(t.val) && !BUILTINS.has(t.val)) throw parseError(t.line, `function "${t.val}" not defined`);
        return { t: 'ident', pos: t.pos, name: t.val, text: t.val };
      case 'string': this.next(); return { t: 'lit', pos: t.pos, value: unquote(t), text: t.val };
      case 'char': this.next(); return { t: 'lit', pos: t.pos, value: unquote({ ...t, val: `"${t.val.slice(1, -1).replace(/"/g, '\\"')}"` }).codePointAt(0), text: t.val };
      case 'number': this.next(); return { t: 'lit', pos: t.pos, value: parseNumber(t), text: t.val };
      case 'bool': this.next(); return { t: 'lit', pos: t.pos, value: t.val === 'true', text: t.val };
      case 'nil': this.next(); return { t: 'lit', pos: t.pos, value: null, text: 'nil' };
      case 'lparen': {
        this.next();
        const pipe = this.pipeline('parenthesized pipeline', 'rparen');
        return { t: 'pipe', pos: t.pos, pipe, text: `(${pipe.text})` };
      }
      default: return undefined;
    }
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'right': return '"}}"';
    case 'rparen': return '")"';
    case 'lparen': return '"("';
    case 'eof': return 'EOF';
    case 'keyword': return `<${t.val}>`;
    default: return `<${t.val}>`;
  }
}

// ---------------------------------------------------------------- values

function isMap(v: unknown): v is Map<unknown, unknown> { return v instanceof Map; }

function typeName(v: unknown): string {
  if (v === null || v === undefined || v === NO_VALUE) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'object') {
    const n = (v as { [GO_TYPE_NAME]?: string })[GO_TYPE_NAME];
    return n ?? 'struct {}';
  }
  return 'func';
}

export function goTruth(v: unknown): boolean {
  if (v === null || v === undefined || v === NO_VALUE) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return v.size > 0;
  return true;
}

/** fmt's %v of a value. */
export function goPrint(v: unknown, top = true): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloatV(v);
  if (Array.isArray(v)) return `[${v.map((x) => goPrint(x, false)).join(' ')}]`;
  if (isMap(v)) return `map[${sortedKeys(v).map((k) => `${goPrint(k, false)}:${goPrint(v.get(k), false)}`).join(' ')}]`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const s = Object.entries(v as Record<string, unknown>).map(([, x]) => goPrint(x, false)).join(' ');
    return top ? `{${s}}` : `{${s}}`;
  }
  return String(v);
}

function formatFloatV(v: number): string {
  // %v of a float64 is %g with the shortest representation.
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

function sortedKeys(m: Map<unknown, unknown>): unknown[] {
  return [...m.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

// ---------------------------------------------------------------- builtins

class ExecFault extends Error {}

function lenOf(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return v.size;
  throw new ExecFault(`len of type ${typeName(v)}`);
}

function basicKind(v: unknown): string {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (v === null || v === undefined) return 'nil';
  return 'other';
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new ExecFault('missing argument for comparison');
  for (const b of rest) {
    const ka = basicKind(a);
    const kb = basicKind(b);
    if (ka === 'other' || kb === 'other') {
      if (ka !== kb) throw new ExecFault('incompatible types for comparison');
      throw new ExecFault('non-comparable type');
    }
    if (ka !== kb) throw new ExecFault(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    if (a === b) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) throw new ExecFault(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (ka === 'bool' || ka === 'nil' || ka === 'other') throw new ExecFault('invalid type for comparison');
  return (a as number | string) < (b as number | string);
}

function indexFn(item: unknown, ...idx: unknown[]): unknown {
  let v = item;
  for (const i of idx) {
    if (Array.isArray(v) || typeof v === 'string') {
      if (typeof i !== 'number' || !Number.isInteger(i)) throw new ExecFault(`cannot index slice/array with type ${typeName(i)}`);
      const len = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
      if (i < 0 || i >= len) throw new ExecFault(`index out of range: ${i}`);
      v = typeof v === 'string' ? Buffer.from(v)[i] : v[i];
    } else if (isMap(v)) {
      v = v.has(i) ? v.get(i) : null;
    } else if (v === null || v === undefined) {
      throw new ExecFault('index of untyped nil');
    } else {
      throw new ExecFault(`can't index item of type ${typeName(v)}`);
    }
  }
  return v;
}

function sliceFn(item: unknown, ...idx: unknown[]): unknown {
  if (!Array.isArray(item) && typeof item !== 'string') throw new ExecFault(`can't slice item of type ${typeName(item)}`);
  const len = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
  const [i = 0, j = len] = idx as number[];
  if (i < 0 || j < i || j > len) throw new ExecFault(`index out of range: ${j > len ? j : i}`);
  return typeof item === 'string' ? Buffer.from(item).subarray(i, j).toString() : item.slice(i, j);
}

/** fmt.Sprint's spacing: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goPrint(a);
  });
  return out;
}

export function goSprintf(format: string, args: unknown[]): string {
  let ai = 0;
  return format.replace(/%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])/g, (_m, flags: string, w: string | undefined, p: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (w === '*') w = String(args[ai++]);
    if (p === '*') p = String(args[ai++]);
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = args[ai++];
    let s: string;
    switch (verb) {
      case 'd': s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeName(a)}=${goPrint(a)})`; break;
      case 's': s = typeof a === 'string' ? a : goPrint(a); break;
      case 'q': s = JSON.stringify(goPrint(a)); break;
      case 't': s = typeof a === 'boolean' ? String(a) : `%!t(${typeName(a)}=${goPrint(a)})`; break;
      case 'x': s = typeof a === 'number' ? a.toString(16) : Buffer.from(goPrint(a)).toString('hex'); break;
      case 'X': s = typeof a === 'number' ? a.toString(16).toUpperCase() : Buffer.from(goPrint(a)).toString('hex').toUpperCase(); break;
      case 'f': s = typeof a === 'number' ? a.toFixed(p === undefined ? 6 : Number(p)) : `%!f(${typeName(a)}=${goPrint(a)})`; p = undefined; break;
      default: s = goPrint(a);
    }
    if (p !== undefined && verb === 's') s = [...s].slice(0, Number(p)).join('');
    const width = w ? Number(w) : 0;
    const n = [...s].length;
    if (n < width) s = flags.includes('-') ? s + ' '.repeat(width - n) : (flags.includes('0') && verb !== 's' ? '0' : ' ').repeat(width - n) + s;
    return s;
  }) + (ai < args.length ? `%!(EXTRA ${args.slice(ai).map((a) => `${typeName(a)}=${goPrint(a)}`).join(', ')})` : '');
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

const BUILTINS = new Map<string, GoFunc>([
  ['print', (...a) => sprint(a)],
  ['println', (...a) => a.map((x) => goPrint(x)).join(' ') + '\n'],
  ['printf', (f, ...a) => goSprintf(String(f), a)],
  ['len', (v) => lenOf(v)],
  ['index', (v, ...i) => indexFn(v, ...i)],
  ['slice', (v, ...i) => sliceFn(v, ...i)],
  ['not', (v) => !goTruth(v)],
  ['eq', (a, ...b) => eq(a, ...b)],
  ['ne', (a, b) => !eq(a, b)],
  ['lt', (a, b) => lt(a, b)],
  ['le', (a, b) => lt(a, b) || eq(a, b)],
  ['gt', (a, b) => !lt(a, b) && !eq(a, b)],
  ['ge', (a, b) => !lt(a, b)],
  ['html', (...a) => htmlEscape(sprint(a))],
  ['urlquery', (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+')],
  ['js', (...a) => sprint(a).replace(/[\\'"<>&=]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)],
  ['call', (f, ...a) => {
    if (typeof f !== 'function') throw new ExecFault(`non-function of type ${typeName(f)}`);
    return (f as GoFunc)(...a);
  }],
]);

// ---------------------------------------------------------------- exec

class Control { constructor(readonly kind: 'break' | 'continue') {} }

class Exec {
  private vars: Array<[string, unknown]> = [];
  private out = '';

  constructor(private readonly src: string, private readonly funcs: Map<string, GoFunc>) {}

  private fail(pos: number, context: string, msg: string): never {
    const before = this.src.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? pos : pos - nl - 1;
    const ctx = context.length > 20 ? `${context.slice(0, 20)}...` : context;
    throw new GoTemplateError(`template: :${line}:${col}: executing "" at <${ctx}>: ${msg}`);
  }

  run(nodes: Node[], dot: unknown): string {
    this.vars = [['$', dot]];
    this.list(nodes, dot);
    return this.out;
  }

  private list(nodes: Node[], dot: unknown): void {
    for (const n of nodes) this.node(n, dot);
  }

  private node(n: Node, dot: unknown): void {
    switch (n.t) {
      case 'text': this.out += n.text; return;
      case 'action': {
        const v = this.pipe(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.out += this.printable(v, n.pipe);
        return;
      }
      case 'if': case 'with': {
        const mark = this.vars.length;
        const v = this.pipe(n.pipe, dot);
        if (goTruth(v)) this.list(n.list, n.t === 'with' ? v : dot);
        else if (n.elseList) this.list(n.elseList, dot);
        this.vars.length = mark;
        return;
      }
      case 'range': this.range(n, dot); return;
      case 'break': case 'continue': throw new Control(n.t);
    }
  }

  private printable(v: unknown, pipe: Pipe): string {
    if (typeof v === 'function') this.fail(pipe.pos, pipe.text, `can't print ${pipe.text} of type func`);
    return goPrint(v);
  }

  private range(n: Extract<Node, { t: 'range' }>, dot: unknown): void {
    const mark = this.vars.length;
    const decl = n.pipe.decl;
    const v = this.pipe({ ...n.pipe, decl: [] }, dot);
    let items: Array<[unknown, unknown]>;
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (isMap(v)) items = sortedKeys(v).map((k) => [k, v.get(k)]);
    else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v === null || v === undefined || v === NO_VALUE) items = [];
    else this.fail(n.pipe.pos, n.pipe.text, `range can't iterate over ${goPrint(v)}`);
    if (items.length === 0) {
      if (n.elseList) this.list(n.elseList, dot);
      this.vars.length = mark;
      return;
    }
    for (const [k, x] of items) {
      if (decl.length === 1) this.vars.push([decl[0]!, x]);
      else if (decl.length === 2) this.vars.push([decl[0]!, k], [decl[1]!, x]);
      try {
        this.list(n.list, x);
      } catch (e) {
        if (!(e instanceof Control)) throw e;
        if (e.kind === 'break') break;
      } finally {
        this.vars.length = mark;
      }
    }
    this.vars.length = mark;
  }

  private pipe(p: Pipe, dot: unknown): unknown {
    let v: unknown = NO_VALUE;
    let first = true;
    for (const c of p.cmds) {
      v = this.command(c, dot, first ? NO_VALUE : v, !first);
      first = false;
    }
    if (p.decl.length) {
      if (p.assign) {
        for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === p.decl[0]) { this.vars[i]![1] = v; break; }
      } else {
        this.vars.push([p.decl[0]!, v]);
      }
    }
    return v;
  }

  private command(c: Cmd, dot: unknown, final: unknown, hasFinal: boolean): unknown {
    const first = c.args[0]!;
    switch (first.t) {
      case 'ident': return this.call({ ...first, pos: c.pos, text: c.text }, first.name, c.args.slice(1), dot, final, hasFinal);
      case 'field': case 'var': case 'pipe': case 'dot': {
        if (c.args.length > 1 || hasFinal) {
          if (first.t === 'field' && first.names.length) return this.evalField(first, dot, c.args.slice(1), final, hasFinal);
          this.fail(first.pos, first.text, `can't give argument to non-function ${first.text}`);
        }
        return this.arg(first, dot);
      }
      case 'lit':
        if (c.args.length > 1 || hasFinal) this.fail(first.pos, first.text, `can't give argument to non-function ${first.text}`);
        if (first.value === null) this.fail(first.pos, first.text, 'nil is not a command');
        return first.value;
    }
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.t) {
      case 'dot': return dot;
      case 'lit': return a.value;
      case 'pipe': {
        const mark = this.vars.length;
        const v = this.pipe(a.pipe, dot);
        this.vars.length = mark;
        return v;
      }
      case 'var': {
        let v: unknown = NO_VALUE;
        for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === a.name) { v = this.vars[i]![1]; break; }
        return this.walk(a, v, a.names);
      }
      case 'field': return this.evalField(a, dot, [], NO_VALUE, false);
      case 'ident': return this.call(a, a.name, [], dot, NO_VALUE, false);
    }
  }

  private evalField(a: Extract<Arg, { t: 'field' }>, dot: unknown, args: Arg[], final: unknown, hasFinal: boolean): unknown {
    const recv = a.recv ? this.arg(a.recv, dot) : dot;
    const v = this.walk(a, recv, a.names);
    if (typeof v === 'function') {
      const vals = args.map((x) => this.arg(x, dot));
      if (hasFinal) vals.push(final);
      return (v as GoFunc)(...vals);
    }
    if (args.length || hasFinal) this.fail(a.pos, a.text, `${a.names.at(-1)} has arguments but cannot be invoked as function`);
    return v;
  }

  private walk(a: Arg, start: unknown, names: string[]): unknown {
    let v = start;
    for (const name of names) {
      if (v === null || v === undefined || v === NO_VALUE) this.fail(a.pos, a.text, `nil pointer evaluating ${typeName(v) === '<nil>' ? 'interface {}' : typeName(v)}.${name}`);
      if (isMap(v)) { v = v.has(name) ? v.get(name) : NO_VALUE; continue; }
      if (typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, name) && /^\p{Lu}/u.test(name)) {
        v = (v as Record<string, unknown>)[name];
        continue;
      }
      if (typeof v === 'object' && !Array.isArray(v) && !/^\p{Lu}/u.test(name) && Object.prototype.hasOwnProperty.call(v, name)) {
        this.fail(a.pos, a.text, `${name} is an unexported field of struct type ${typeName(v)}`);
      }
      this.fail(a.pos, a.text, `can't evaluate field ${name} in type ${typeName(v)}`);
    }
    return v;
  }

  private call(id: { pos: number; text: string }, name: string, args: Arg[], dot: unknown, final: unknown, hasFinal: boolean): unknown {
    const fn = this.funcs.get(name) ?? BUILTINS.get(name)!;
    // and/or evaluate lazily and return the deciding operand.
    if (name === 'and' || name === 'or') {
      const all = [...args];
      if (all.length + (hasFinal ? 1 : 0) === 0) this.fail(id.pos, id.text, `wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown = NO_VALUE;
      for (const x of all) {
        v = this.arg(x, dot);
        if (goTruth(v) === (name === 'or')) return v;
      }
      return hasFinal ? final : v;
    }
    const vals = args.map((x) => this.arg(x, dot));
    if (hasFinal) vals.push(final);
    try {
      return fn(...vals.map((x) => (x === NO_VALUE ? null : x)));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof ExecFault && BUILTINS.has(name) && !this.funcs.has(name)) this.fail(id.pos, id.text, `error calling ${name}: ${msg}`);
      if (e instanceof GoTemplateError) throw e;
      this.fail(id.pos, id.text, `error calling ${name}: ${msg}`);
    }
  }
}

BUILTINS.set('and', () => undefined);
BUILTINS.set('or', () => undefined);

export function parseGoTemplate(text: string, funcs: Record<string, GoFunc> = {}): GoTemplate {
  const fm = new Map(Object.entries(funcs));
  const tree = new Parser(lex(text), fm).parseAll();
  return {
    execute(data: unknown): string {
      return new Exec(text, fm).run(tree, data);
    },
  };
}
