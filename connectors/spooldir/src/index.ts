import type { PluginDescriptor } from '@tributary/connect-api';

/** The plugins of this package, registered by the `tributary` distribution. */
export const plugins: PluginDescriptor[] = [];
