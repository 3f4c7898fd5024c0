import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { sourceTaskSuite } from '@tributary/connect-api/testing';
import { SyslogSourceConnector } from './syslog-source-connector.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

sourceTaskSuite('SyslogSource', {
  connector: () => new SyslogSourceConnector(),
  setup: async () => {
    const port = await freePort();
    return {
      config: {
        'connector.class': 'SyslogSource',
        topic: 'syslog',
        'syslog.listener': 'UDP',
        'syslog.port': String(port),
        'syslog.listen.address': '127.0.0.1',
      },
      // A listener: the input arrives once the task is started.
      feed: async () => {
        const udp = createSocket('udp4');
        for (let i = 0; i < 4; i++) {
          await new Promise<void>((r) =>
            udp.send(`<38>Mar  4 15:14:2${i} rpi-03 sshd[24150]: message ${i}`, port, '127.0.0.1', () => r()),
          );
        }
        udp.close();
      },
    };
  },
  skip: { resume: 'datagrams are not replayable: syslog records carry no position to resume from' },
});
