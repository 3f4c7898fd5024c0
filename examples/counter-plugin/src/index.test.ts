import { sourceTaskSuite } from '@tributary/connect-api/testing';
import { CounterConnector } from './index.js';

// The SDK's conformance checks: resume after the last committed number, a prompt stop, config refusal.
sourceTaskSuite('Counter', {
  connector: () => new CounterConnector(),
  setup: () => ({ config: { 'connector.class': 'Counter', topic: 'numbers', 'max.count': '10' } }),
});
