// A TCP port on 127.0.0.1 that nothing listens on right now, for servers the tests start
// themselves (Redis, PostgreSQL, nginx): the kernel picks it, the probe lets it go.
import net from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
