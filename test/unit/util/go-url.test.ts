import assert from 'node:assert/strict';
import { it } from 'node:test';
import { goQueryEscape } from '../../../src/util/go-url.js';
import { kubernetesEndpoint } from '../../../src/builder/create.js';

it('url.QueryEscape: unreserved bytes kept, space as +, the rest %XX upper case', () => {
  assert.equal(goQueryEscape('/root/.kube/config'), '%2Froot%2F.kube%2Fconfig');
  assert.equal(goQueryEscape("a b!*'()~_-.é"), 'a+b%21%2A%27%28%29~_-.%C3%A9');
  assert.equal(goQueryEscape(''), '');
});

it('a kubernetes node\'s endpoint is written as buildx writes it', () => {
  assert.equal(kubernetesEndpoint('kb', 'buildkit-1-abcde', '/a/kube config:/b'), 'kubernetes:///kb?deployment=buildkit-1-abcde&kubeconfig=%2Fa%2Fkube+config%3A%2Fb');
});
