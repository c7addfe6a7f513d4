// A small, strict XML reader for tests: it rejects anything not well-formed (unclosed or mismatched
// tags, bare `&` or `<`, unknown entities, duplicate attributes, characters XML forbids, more than one
// root) and returns the element tree, so tests can query what an SVG really contains.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Everything in document order: text (entities decoded) and child elements. */
  content: Array<string | XmlElement>;
  parent?: XmlElement;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {}

function fail(src: string, at: number, what: string): never {
  const line = src.slice(0, at).split('\n').length;
  throw new XmlError(`${what} at line ${line}, near ${JSON.stringify(src.slice(at, at + 40))}`);
}

function decode(src: string, from: number, text: string): string {
  return text.replace(/&([^;]*);|&/g, (m, ref: string | undefined, offset: number) => {
    if (ref === undefined) fail(src, from + offset, 'bare "&"');
    if (ref.startsWith('#x') && /^#x[0-9A-Fa-f]+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#') && /^#[0-9]+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const v = PREDEFINED[ref];
    if (v === undefined) fail(src, from + offset, `unknown entity "${m}"`);
    return v;
  });
}

export function parseXml(src: string): XmlElement {
  const bad = FORBIDDEN.exec(src);
  if (bad) fail(src, bad.index, 'character not allowed in XML');
  let i = 0;
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textEnd = lt === -1 ? src.length : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      if (raw.includes(']]>')) fail(src, i + raw.indexOf(']]>'), '"]]>" in text');
      const top = stack[stack.length - 1];
      if (!top) {
        if (raw.trim() !== '') fail(src, i, 'text outside the root element');
      } else {
        top.content.push(decode(src, i, raw));
      }
      i = textEnd;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end === -1) fail(src, i, 'unterminated comment');
      if (src.slice(i + 4, end).includes('--')) fail(src, i, '"--" inside a comment');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const top = stack[stack.length - 1];
      if (!top) fail(src, i, 'CDATA outside the root element');
      const end = src.indexOf(']]>', i);
      if (end === -1) fail(src, i, 'unterminated CDATA');
      top.content.push(src.slice(i + 9, end));
      i = end + 3;
      continue;
    }
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end === -1) fail(src, i, 'unterminated processing instruction');
      if (/^<\?xml[\s?]/.test(src.slice(i, i + 6)) && i !== 0) fail(src, i, 'XML declaration not at the start');
      i = end + 2;
      continue;
    }
    if (src.startsWith('<!', i)) fail(src, i, 'DOCTYPE and other declarations are not expected');
    if (src.startsWith('</', i)) {
      i += 2;
      const name = NAME.exec(src.slice(i))?.[0];
      if (!name) fail(src, i, 'bad end tag');
      i += name.length;
      skipSpace();
      if (src[i] !== '>') fail(src, i, 'bad end tag');
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(src, i, `end tag </${name}> does not match <${open?.name ?? '(none)'}>`);
      continue;
    }
    // A start tag.
    i++;
    const name = NAME.exec(src.slice(i))?.[0];
    if (!name) fail(src, i, 'bad tag name');
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], content: [] };
    for (;;) {
      const before = i;
      skipSpace();
      if (src.startsWith('/>', i) || src[i] === '>') break;
      if (i === before) fail(src, i, 'attributes must be separated by space');
      const an = NAME.exec(src.slice(i))?.[0];
      if (!an) fail(src, i, 'bad attribute name');
      i += an.length;
      skipSpace();
      if (src[i] !== '=') fail(src, i, `attribute ${an} has no value`);
      i++;
      skipSpace();
      const q = src[i];
      if (q !== '"' && q !== "'") fail(src, i, `attribute ${an} is not quoted`);
      const end = src.indexOf(q, i + 1);
      if (end === -1) fail(src, i, 'unterminated attribute value');
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(src, i, `"<" in attribute ${an}`);
      if (Object.hasOwn(el.attrs, an)) fail(src, i, `duplicate attribute ${an}`);
      el.attrs[an] = decode(src, i + 1, raw);
      i = end + 1;
    }
    const top = stack[stack.length - 1];
    if (top) {
      el.parent = top;
      top.children.push(el);
      top.content.push(el);
    } else {
      if (root) fail(src, i, 'more than one root element');
      root = el;
    }
    if (src.startsWith('/>', i)) i += 2;
    else {
      i++;
      stack.push(el);
    }
  }
  if (stack.length) fail(src, src.length, `<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) fail(src, 0, 'no root element');
  return root;
}

/** Every element below (and including) `el`, in document order. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}

export function classesOf(el: XmlElement): string[] {
  return (el.attrs.class ?? '').split(/\s+/).filter(Boolean);
}

export function textOf(el: XmlElement): string {
  return el.content.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** Elements carrying all the given classes. */
export function byClass(root: XmlElement, ...classes: string[]): XmlElement[] {
  return allElements(root).filter((e) => {
    const cs = classesOf(e);
    return classes.every((c) => cs.includes(c));
  });
}
