// The REST client lives in the runtime, which also runs adopt/handback for the console.
export { RestClient, RestError } from '@tributary/connect-runtime';
