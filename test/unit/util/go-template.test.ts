import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GO_TYPE_NAME, GoTemplateError, parseGoTemplate } from '../../../src/util/go-template.js';

const funcs = {
  upper: (s: unknown) => String(s).toUpperCase(),
  lower: (s: unknown) => String(s).toLowerCase(),
  join: (a: unknown, sep: unknown) => (a as string[]).join(String(sep)),
  split: (s: unknown, sep: unknown) => String(s).split(String(sep)),
  fail: () => { throw new Error('boom'); },
};

function run(tpl: string, data: unknown): string {
  return parseGoTemplate(tpl, funcs).execute(data);
}

function parseErr(tpl: string): string {
  try {
    parseGoTemplate(tpl, funcs);
  } catch (e) {
    assert.ok(e instanceof GoTemplateError);
    return e.message;
  }
  assert.fail(`no parse error for ${tpl}`);
}

function execErr(tpl: string, data: unknown): string {
  const t = parseGoTemplate(tpl, funcs);
  try {
    t.execute(data);
  } catch (e) {
    assert.ok(e instanceof GoTemplateError);
    return e.message;
  }
  assert.fail(`no exec error for ${tpl}`);
}

const row = { [GO_TYPE_NAME]: '*commands.diskusageContext', ID: 'abc', Size: '1.2kB', Mutable: true, Shared: false, UsageCount: 3, Parents: ['p1', 'p2'], Nested: { Name: 'n' }, Empty: '' };

test('fields, nested fields, dot and text', () => {
  assert.equal(run('{{.ID}}: {{.Size}}', row), 'abc: 1.2kB');
  assert.equal(run('{{.Nested.Name}}', row), 'n');
  assert.equal(run('x{{.}}y', 'v'), 'xvy');
  assert.equal(run('no actions\there', row), 'no actions\there');
  assert.equal(run('{{.Mutable}} {{.Shared}} {{.UsageCount}}', row), 'true false 3');
  assert.equal(run('{{.Parents}}', row), '[p1 p2]');
});

test('maps: missing keys print <no value>', () => {
  const m = new Map([['ID', 'x'], ['B', 'y']]);
  assert.equal(run('{{.ID}} {{.Missing}}', m), 'x <no value>');
  assert.equal(run('{{range $k, $v := .}}{{$k}}={{$v}};{{end}}', m), 'B=y;ID=x;');
  assert.equal(run('{{.}}', m), 'map[B:y ID:x]');
});

test('trim markers', () => {
  assert.equal(run('a  {{- .ID -}}  b', row), 'aabcb');
  assert.equal(run('a\n{{- .ID}}\nb', row), 'aabc\nb');
  assert.equal(run('{{.ID -}}\n\n x', row), 'abcx');
  // "-" needs a space to be a trim marker; {{-3}} is a number
  assert.equal(run('a {{-3}}', row), 'a -3');
  assert.equal(run('a {{/* comment */}} b', row), 'a  b');
  assert.equal(run('a {{- /* comment */ -}} b', row), 'ab');
});

test('literals', () => {
  assert.equal(run('{{"q\\tx"}}|{{`raw\\t`}}|{{42}}|{{-1}}|{{1.5}}|{{true}}|{{0x10}}', null), 'q\tx|raw\\t|42|-1|1.5|true|16');
  assert.equal(run("{{'a'}}", null), '97');
});

test('pipelines pass the value as the last argument', () => {
  assert.equal(run('{{.ID | upper}}', row), 'ABC');
  assert.equal(run('{{"," | join .Parents}}', row), 'p1,p2');
  assert.equal(run('{{join .Parents "-" | upper}}', row), 'P1-P2');
  assert.equal(run('{{(split "a:b" ":") | len}}', row), '2');
  assert.equal(run('{{printf "%s-%d" .ID .UsageCount}}', row), 'abc-3');
  assert.equal(run('{{printf "%-5s|%5s|" "ab" "cd"}}', row), 'ab   |   cd|');
  assert.equal(run('{{println .ID .UsageCount}}', row), 'abc 3\n');
  assert.equal(run('{{print "a" "b" 1 2}}', row), 'ab1 2');
});

test('if / else if / else / with / range', () => {
  assert.equal(run('{{if .Mutable}}m{{else}}i{{end}}', row), 'm');
  assert.equal(run('{{if .Shared}}s{{else if .Mutable}}m{{else}}x{{end}}', row), 'm');
  assert.equal(run('{{if .Empty}}e{{else}}none{{end}}', row), 'none');
  assert.equal(run('{{with .Nested}}{{.Name}}{{end}}', row), 'n');
  assert.equal(run('{{with .Empty}}x{{else}}empty{{end}}', row), 'empty');
  assert.equal(run('{{range .Parents}}[{{.}}]{{end}}', row), '[p1][p2]');
  assert.equal(run('{{range $i, $p := .Parents}}{{$i}}{{$p}}{{$.ID}} {{end}}', row), '0p1abc 1p2abc ');
  assert.equal(run('{{range .Nope}}x{{else}}none{{end}}', { Nope: [] }), 'none');
  assert.equal(run('{{range 3}}{{.}}{{end}}', null), '012');
  assert.equal(run('{{range .Parents}}{{if eq . "p2"}}{{break}}{{end}}{{.}}{{end}}', row), 'p1');
  assert.equal(run('{{range .Parents}}{{if eq . "p1"}}{{continue}}{{end}}{{.}}{{end}}', row), 'p2');
  assert.equal(run('{{$x := .ID}}{{$x}}{{$x = "y"}}{{$x}}', row), 'abcy');
});

test('builtin comparisons and logic', () => {
  assert.equal(run('{{eq .UsageCount 3}} {{ne .ID "abc"}} {{lt 1 2}} {{ge 2 2}} {{gt "b" "a"}} {{le 3 2}}', row), 'true false true true true false');
  assert.equal(run('{{eq .ID "x" "abc"}}', row), 'true');
  assert.equal(run('{{and .Mutable .ID}} {{or .Empty "dflt"}} {{not .Shared}}', row), 'abc dflt true');
  assert.equal(run('{{len .ID}} {{index .Parents 1}} {{slice .ID 1 2}}', row), '3 p2 b');
  assert.equal(run('{{html "<a&b>"}}', row), '&lt;a&amp;b&gt;');
});

test('parse errors in Go\'s shapes', () => {
  assert.equal(parseErr('{{foo}}'), 'template: :1: function "foo" not defined');
  assert.equal(parseErr('a\n{{.X | nope}}'), 'template: :2: function "nope" not defined');
  assert.equal(parseErr('{{.ID'), 'template: :1: unclosed action');
  assert.equal(parseErr('{{if .X}}a'), 'template: :1: unexpected EOF');
  assert.equal(parseErr('{{end}}'), 'template: :1: unexpected {{end}}');
  assert.equal(parseErr('{{else}}'), 'template: :1: unexpected {{else}}');
  assert.equal(parseErr('{{if}}{{end}}'), 'template: :1: missing value for if');
  assert.equal(parseErr('{{$x}}'), 'template: :1: undefined variable "$x"');
  assert.equal(parseErr('{{"abc}}'), 'template: :1: unterminated quoted string');
  assert.equal(parseErr('{{break}}'), 'template: :1: {{break}} outside {{range}}');
  assert.equal(parseErr('{{.X | "a"}}'), 'template: :1: non executable command in pipeline stage 2');
});

test('exec errors in Go\'s shapes', () => {
  assert.equal(execErr('{{.Foo}}', row), 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *commands.diskusageContext');
  assert.equal(execErr('ab\n  {{.Nested.Zip}}', row), 'template: :2:11: executing "" at <.Nested.Zip>: can\'t evaluate field Zip in type struct {}');
  assert.equal(execErr('{{fail}}', row), 'template: :1:2: executing "" at <fail>: error calling fail: boom');
  assert.equal(execErr('{{.ID.X}}', row), 'template: :1:5: executing "" at <.ID.X>: can\'t evaluate field X in type string');
  assert.equal(execErr('{{index .Parents 5}}', row), 'template: :1:2: executing "" at <index .Parents 5>: error calling index: index out of range: 5');
  assert.equal(execErr('{{.ID 1}}', row), 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function');
  assert.equal(execErr('{{.ABCDEFGHIJKLMNOPQRSTUVWXYZ}}', row), 'template: :1:2: executing "" at <.ABCDEFGHIJKLMNOPQRS...>: can\'t evaluate field ABCDEFGHIJKLMNOPQRSTUVWXYZ in type *commands.diskusageContext');
});

test('a template executes many times', () => {
  const t = parseGoTemplate('{{.ID}}', funcs);
  assert.equal(t.execute({ ID: 'a' }), 'a');
  assert.equal(t.execute({ ID: 'b' }), 'b');
});

test('more Go error shapes', () => {
  assert.equal(parseErr('{{.ID)}}'), 'template: :1: unexpected right paren');
  assert.equal(execErr('{{range .ID}}{{end}}', row), 'template: :1:8: executing "" at <.ID>: range can\'t iterate over abc');
  assert.equal(execErr('{{len 3}}', row), 'template: :1:2: executing "" at <len 3>: error calling len: len of type int');
  assert.equal(execErr('{{eq .ID 1}}', row), 'template: :1:2: executing "" at <eq .ID 1>: error calling eq: incompatible types for comparison: string and int');
  // a trailing pipe is accepted, as Go does
  assert.equal(run('{{.ID | }}', row), 'abc');
  assert.equal(run('{{3.0}} {{1e21}} {{1.5e-7}}', row), '3 1e+21 1.5e-07');
  assert.equal(run('{{printf "%q %v" "a" .Parents}}', row), '"a" [p1 p2]');
});
