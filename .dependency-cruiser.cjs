/**
 * The layering of src/, checked by `npm run deps` (part of `npm test`): a wrong import fails CI.
 *
 *   config, logger             the base: every layer may use them
 *   core/                      the kernel: imports nothing of the project but config and logger
 *   db/ crypto/ auth/ audit/ policy/   inner layers, in that order: each imports core and the layers before it
 *   capabilities               customers/ tasks/ consent/ ... : import core, inner layers, other capabilities
 *   server/ cli/ main.ts       composition roots: nothing imports them
 */
const CAPABILITIES = '^src/(customers|tasks|consent|rectification|erasure|verification|self|partners|discovery|transparency|lifecycle|analytics|report|backup)/';
const INNER = '^src/(db|crypto|auth|audit|policy)/';
const BASE = '^src/(config|logger|metrics|tracing)\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'No import cycle in src/, type-only ones included.', from: { path: '^src/', pathNot: '^src/core/' }, to: { circular: true } },
    {
      name: 'no-runtime-cycles-in-core', severity: 'error',
      comment: 'Inside the kernel, the context and the manifest types name each other (type-only); no runtime cycle.',
      from: { path: '^src/core/' }, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'core-is-the-kernel', severity: 'error', comment: 'core/ imports nothing of the project but config and logger.',
      from: { path: '^src/core/' }, to: { path: '^src/', pathNot: ['^src/core/', '^src/config\\.ts$', '^src/logger\\.ts$'] },
    },
    {
      name: 'base-stays-below', severity: 'error', comment: 'config and logger import nothing of the project but each other.',
      from: { path: '^src/(config|logger)\\.ts$' }, to: { path: '^src/', pathNot: ['^src/config\\.ts$', '^src/logger\\.ts$'] },
    },
    {
      name: 'inner-layers-stay-inner', severity: 'error', comment: 'Inner layers never import a capability, the server, the CLIs or the demo data.',
      from: { path: INNER }, to: { path: [CAPABILITIES, '^src/(server|cli|demo)/', '^src/main\\.ts$'] },
    },
    { name: 'db-is-lowest', severity: 'error', from: { path: '^src/db/' }, to: { path: '^src/(crypto|auth|audit|policy)/' } },
    { name: 'crypto-below-auth-audit-policy', severity: 'error', from: { path: '^src/crypto/' }, to: { path: '^src/(auth|audit|policy)/' } },
    { name: 'auth-below-audit-policy', severity: 'error', from: { path: '^src/auth/' }, to: { path: '^src/(audit|policy)/' } },
    { name: 'audit-below-policy', severity: 'error', from: { path: '^src/audit/' }, to: { path: '^src/policy/' } },
    {
      name: 'capabilities-below-the-roots', severity: 'error', comment: 'Capabilities never import the server, the CLIs or the demo data.',
      from: { path: CAPABILITIES }, to: { path: ['^src/(server|cli|demo)/', '^src/main\\.ts$'] },
    },
    {
      name: 'nothing-imports-the-roots', severity: 'error', comment: 'Only main.ts and the CLIs import server/; nothing imports cli/ or main.ts.',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/', '^src/server/'] }, to: { path: ['^src/server/', '^src/cli/', '^src/main\\.ts$'] },
    },
    {
      name: 'customers-through-the-store', severity: 'error',
      comment: 'Only customers/ touches the customer model; everyone else reads and writes through customers/store.ts (the visibility rule, the write path).',
      from: { path: '^src/', pathNot: '^src/customers/' }, to: { path: '^src/customers/model\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'demo-for-the-roots', severity: 'error', comment: 'The demo data is seeded by the composition roots only.',
      from: { path: '^src/', pathNot: ['^src/demo/', '^src/server/', '^src/cli/', '^src/main\\.ts$'] }, to: { path: '^src/demo/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.browser\\.js$' },
  },
};
