import net from 'node:net';
import { errnoOf, StartupError } from './startup-error.js';

/** One line for a failure to listen on host:port, by the system error that said so; other errors as they are. */
export function listenFailure(err: unknown, host: string, port: number): unknown {
  const say = (message: string) => new StartupError(message, { cause: err });
  switch (errnoOf(err)) {
    case 'EADDRINUSE':
      return say(
        `port ${port} on ${host} is already in use: stop the process that holds it, or set PORT to a free port`,
      );
    case 'EACCES':
      return say(
        `port ${port} on ${host} needs privileges this user lacks: set PORT to 1024 or above, or put a proxy in front`,
      );
    case 'EADDRNOTAVAIL':
      return say(
        `HOST=${host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say(
        `HOST=${host} does not resolve to an address: set HOST to an IP address of this machine, or 0.0.0.0 for all`,
      );
    default:
      return err;
  }
}

/**
 * Binds host:port for a moment and lets go, so that a port in use or a HOST that is not ours
 * is reported before the slow part of start-up (migrations, building the app), not after it.
 */
export async function checkCanListen(host: string, port: number): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (err) {
    throw listenFailure(err, host, port);
  }
  await new Promise((resolve) => server.close(resolve));
}
