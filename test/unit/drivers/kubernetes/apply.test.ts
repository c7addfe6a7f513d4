// What an update reports: the leaves that differ between the live object and the wanted one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { differences } from '../../../../src/drivers/kubernetes/apply.js';

describe('differences between two objects', () => {
  it('names each changed leaf by its path, with old and new values', () => {
    const before = { spec: { replicas: 1, template: { spec: { containers: [{ image: 'a', args: ['x'] }], nodeSelector: { k: 'v' } } } } };
    const after = { spec: { replicas: 3, template: { spec: { containers: [{ image: 'b', args: ['x'] }] } } } };
    assert.deepEqual(differences(before, after), [
      'spec.replicas: 1 → 3',
      'spec.template.spec.containers[0].image: "a" → "b"',
      'spec.template.spec.nodeSelector: {"k":"v"} → unset',
    ]);
  });

  it('finds nothing when only key order or unset fields differ', () => {
    assert.deepEqual(differences({ a: 1, b: { c: 2, d: undefined } }, { b: { c: 2 }, a: 1 }), []);
  });
});
