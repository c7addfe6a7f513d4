// Stand-ins the CLI bundle gives dockerode for the modules it loads but tsbuildx never calls (scripts/build.mjs):
// ssh2 (ssh:// engines; src/docker/engine.ts refuses such hosts first), @grpc/proto-loader (dockerode's
// build sessions), its BuildKit progress decoder, and tar-fs/@balena/dockerignore (build-context packing).
'use strict';

/** A module whose every export, and the module itself, throws naming what is missing when called or constructed. */
module.exports = function unsupported(name) {
  function fail() {
    throw new Error(`${name} is left out of the tsbuildx bundle: tsbuildx reaches docker engines on unix://, tcp:// and https:// hosts only, and never builds through dockerode`);
  }
  return new Proxy(fail, {
    get(_target, key) {
      // What module loaders and awaits probe for must not look like an export.
      if (typeof key === 'symbol' || key === '__esModule' || key === 'then' || key === 'default') return undefined;
      return fail;
    },
  });
};
