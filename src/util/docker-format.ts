// docker/cli's formatter conventions for `--format` (as `du` and others use them): `table …` is a
// template whose rows go through a tabwriter under a header row made from per-field header names,
// `json` is one JSON object per line, anything else is a raw template printed once per row.
import { BuildxError } from './errors.js';
import { goEncodeJSON } from './go-json.js';
import { GoTemplateError, parseGoTemplate, type GoFunc, type GoTemplate } from './go-template.js';
import { tabwrite } from './tabwriter.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** The functions docker's templates package gives every template. */
export const DOCKER_TEMPLATE_FUNCS: Record<string, GoFunc> = {
  json: (v) => goEncodeJSON(v, { escapeHTML: false }),
  split: (s, sep) => str(s).split(str(sep)),
  join: (a, sep) => (a as unknown[]).map(str).join(str(sep)),
  title: (s) => str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, pre: string, c: string) => pre + c.toUpperCase()),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, prefix, suffix) => (str(s) === '' ? '' : ' '.repeat(Number(prefix)) + str(s) + ' '.repeat(Number(suffix))),
  truncate: (s, n) => {
    const b = Buffer.from(str(s));
    return b.length < Number(n) ? str(s) : b.subarray(0, Number(n)).toString();
  },
};

// The header row keeps column names intact: these functions return their first argument.
const HEADER_FUNCS: Record<string, GoFunc> = {
  ...DOCKER_TEMPLATE_FUNCS,
  ...Object.fromEntries(['json', 'split', 'join', 'title', 'lower', 'upper', 'truncate'].map((n) => [n, (v: unknown) => v])),
};

export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

export function isJSONFormat(format: string): boolean {
  return format === 'json';
}

function templateText(format: string): string {
  let text = format;
  if (isTableFormat(format)) text = format.slice('table'.length);
  else if (isJSONFormat(format)) text = '{{json .}}';
  // Like docker: spaces (only) trimmed at both ends, `\t` and `\n` typed as two characters are the characters.
  return text.replace(/^ +| +$/g, '').replace(/\\[tn]/g, (e) => (e === '\\t' ? '\t' : '\n'));
}

function parse(text: string, funcs: Record<string, GoFunc>): GoTemplate {
  try {
    return parseGoTemplate(text, funcs);
  } catch (err) {
    if (err instanceof GoTemplateError) throw new BuildxError(`template parsing error: ${err.message}`);
    throw err;
  }
}

/**
 * Renders `rows` with a docker `--format` value; `headers` names each field's column for table formats.
 * The whole output is returned, since a table's widths depend on every row.
 */
export function formatRows(format: string, rows: readonly unknown[], headers: Readonly<Record<string, string>>): string {
  const text = templateText(format);
  const tmpl = parse(text, DOCKER_TEMPLATE_FUNCS);
  let body = '';
  for (const row of rows) {
    try {
      body += tmpl.execute(row) + '\n';
    } catch (err) {
      if (err instanceof GoTemplateError) throw new BuildxError(`template parsing error: ${err.message}`);
      throw err;
    }
  }
  if (!isTableFormat(format)) return body;
  let header = '';
  try {
    header = parse(text, HEADER_FUNCS).execute(new Map(Object.entries(headers)));
  } catch {
    // docker ignores a header that fails to render; what it wrote so far is lost here, which only
    // matters for templates that fail on their rows too.
  }
  const lines = (header + '\n' + body).split('\n');
  lines.pop();
  // docker's tabwriter: minwidth 10, tabwidth 1, padding 3, spaces.
  return tabwrite(lines, { minWidth: 10, padding: 3 });
}
