import net from 'node:net';

/**
 * A free port below Linux's ephemeral range (32768+), for a child process a test starts on a port of
 * its choosing: the other suites' servers (port 0) and every outbound connection take theirs from that
 * range, so one picked here stays free until the child binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
