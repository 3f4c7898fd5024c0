/** The SDK's abortable sleep: one copy for plugins and the runtime. */
export { sleep } from '@tributary/connect-api';
