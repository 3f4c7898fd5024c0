/** Reported by `GET /` and `GET /connector-plugins` for built-in plugins. */
export const VERSION = '0.1.0';
export const COMMIT = process.env.TRIBUTARY_COMMIT ?? 'unknown';
