import pkg from '../../package.json' with { type: 'json' };

export const CLI_NAME_VERSION = `Tabswarm ${pkg.version}`;
