import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRows } from '../../../src/util/docker-format.js';
import { GO_MARSHAL_JSON } from '../../../src/util/go-json.js';
import { tabwrite } from '../../../src/util/tabwriter.js';

const headers = { ID: 'ID', Size: 'SIZE', Name: 'NAME' };
const rows = [{ ID: 'a1', Size: '1kB', Name: '<x>&y' }, { ID: 'bbbbbbbbbbbbbb', Size: '22MB', Name: 'n' }];

test('table: header row from the header names, docker tabwriter (minwidth 10, padding 3)', () => {
  assert.equal(formatRows('table {{.ID}}\t{{.Size}}', rows, headers), [
    'ID               SIZE',
    'a1               1kB',
    'bbbbbbbbbbbbbb   22MB',
    '',
  ].join('\n'));
  // `\t` typed as two characters is a tab; functions keep header names intact
  assert.equal(formatRows('table {{.ID | lower}}\\t{{upper .Size}}', rows.slice(0, 1), headers), 'ID        SIZE\na1        1KB\n');
  // no rows: only the header
  assert.equal(formatRows('table {{.ID}}\t{{.Size}}', [], headers), 'ID        SIZE\n');
});

test('json: one object per line; a marshaler speaks for its value; json of a field is not HTML-escaped', () => {
  const marshaled = { ...rows[0]!, [GO_MARSHAL_JSON]: () => '{"Marshaled":"\\u003cx\\u003e"}' };
  assert.equal(formatRows('json', [marshaled], headers), '{"Marshaled":"\\u003cx\\u003e"}\n');
  assert.equal(formatRows('json', [rows[0]], headers), '{"ID":"a1","Size":"1kB","Name":"<x>&y"}\n');
  assert.equal(formatRows('{{json .Name}}', rows, headers), '"<x>&y"\n"n"\n');
});

test('raw templates: once per row; spaces around the format trimmed', () => {
  assert.equal(formatRows('  {{.ID}}: {{.Size}}  ', rows, headers), 'a1: 1kB\nbbbbbbbbbbbbbb: 22MB\n');
  assert.equal(formatRows('{{pad .ID 1 2}}|{{truncate .Name 2}}|{{join (split "a,b" ",") "+"}}|{{title "hello world"}}', rows.slice(0, 1), headers), ' a1  |<x|a+b|Hello World\n');
});

test('template errors are docker\'s "template parsing error"', () => {
  assert.throws(() => formatRows('{{nope}}', rows, headers), { message: 'template parsing error: template: :1: function "nope" not defined' });
  assert.throws(() => formatRows('{{.Nope}}', rows, headers), { message: 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type struct {}' });
});

test('tabwriter with tab padding (Go padchar \\t, tabwidth 8)', () => {
  const kv = { minWidth: 1, padding: 1, padChar: '\t', tabWidth: 8 } as const;
  assert.equal(tabwrite(['Reclaimable:\t5.545GB', 'Total:\t5.545GB'], kv), 'Reclaimable:\t5.545GB\nTotal:\t\t5.545GB\n');
  assert.equal(tabwrite(['ID\tRECLAIMABLE\tSIZE\tLAST ACCESSED', `${'b05vud9is3qnyjwqk6iryoyn9*'.padEnd(40)}\t${'true'.padEnd(5)}\t${'13B'.padEnd(10)}\t3 seconds ago`], kv),
    'ID\t\t\t\t\t\tRECLAIMABLE\tSIZE\t\tLAST ACCESSED\nb05vud9is3qnyjwqk6iryoyn9*              \ttrue \t\t13B       \t3 seconds ago\n');
});
