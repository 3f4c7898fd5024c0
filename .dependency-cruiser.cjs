/** The SDK stays apart from the runtime: plugin authors depend on connect-api only. */
module.exports = {
  forbidden: [
    {
      name: 'sdk-has-no-runtime-deps',
      severity: 'error',
      comment: 'packages/connect-api must not import the runtime, other workspace packages, or any npm package.',
      from: { path: '^packages/connect-api/src' },
      to: { pathNot: ['^packages/connect-api/src', '^node:', 'core_modules'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'plugins-only-use-the-sdk',
      severity: 'error',
      comment: 'Connectors, transforms and converters depend on the SDK, never on the runtime.',
      from: { path: '^(connectors|packages/connect-transforms|packages/connect-converters)/' },
      to: { path: '^packages/(connect-runtime|cli)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    tsPreCompilationDeps: true,
  },
};
