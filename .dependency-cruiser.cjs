// The layering of src/ (README "What is here"), checked in CI: a folder is a layer, and a module may
// import only from its own layer or the layers below it. Type-only imports count, so a back edge never
// hides behind `import type`.
/** Highest first. `src/index.ts` (the package entry) sits with api/. */
const LAYERS = ['commands', 'cli', 'api', 'builder', 'solver', 'imagetools', 'registry', 'drivers', 'session', 'buildkit', 'progress', 'docker', 'flags', 'util', 'proto'];

const layerPath = (name) => (name === 'api' ? '^src/(api/|index\\.ts$)' : `^src/${name}/`);

const upward = LAYERS.slice(1).map((name, i) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} sits below ${LAYERS.slice(0, i + 1).join(', ')} and may not import from them`,
  severity: 'error',
  from: { path: layerPath(name) },
  to: { path: LAYERS.slice(0, i + 1).map(layerPath).join('|') },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'no module reaches itself again through its imports',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'commands-use-the-library',
      comment: 'commands parse flags, call the library API (src/index.ts) or the CLI glue, and print; nothing below',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { path: '^src/', pathNot: '^src/(commands/|cli/|index\\.ts$)' },
    },
    {
      name: 'cli-uses-the-library',
      comment: 'the CLI glue turns flags into library calls: it uses the public API and util/, nothing else below',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: '^src/(cli/|index\\.ts$|util/)' },
    },
    {
      name: 'commands-speak-no-protocol',
      comment: 'no protocol or engine client in the command layer',
      severity: 'error',
      from: { path: '^src/(commands|cli)/' },
      to: { path: 'node_modules/(@grpc/grpc-js|protobufjs|dockerode)/' },
    },
    {
      name: 'only-src-and-node-modules',
      comment: 'the library never reaches into tests, scripts or bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|bench|examples)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
