import type { PluginDescriptor } from '@tributary/connect-api';
import { plugins as filePlugins } from '@tributary/connector-file';

/** Every plugin shipped with the `tributary` distribution (converters are built into the runtime). */
export const builtinPlugins: PluginDescriptor[] = [...filePlugins];
