export { builtinPlugins } from './plugins.js';
