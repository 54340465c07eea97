import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * pass: forward both ways. refuse: close every new connection at once (open ones keep working).
 * hang: accept, keep every socket open, forward nothing (bytes wait in the buffers, like a
 * partitioned network or a frozen server); `pass` again delivers what waited.
 */
export type FaultMode = 'pass' | 'refuse' | 'hang';

interface Pair {
  client: Socket;
  upstream?: Socket;
}

/**
 * A TCP proxy for fault-injection tests, loopback only: the app connects to 127.0.0.1:<port>
 * and the proxy to `target` (also on loopback). `cut()` destroys every open connection, as a
 * server restart or a reset by a firewall does.
 */
export class TcpFaultProxy {
  private mode: FaultMode = 'pass';
  private readonly pairs = new Set<Pair>();
  private accepted = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<TcpFaultProxy> {
    if (!['127.0.0.1', '::1', 'localhost'].includes(target.host)) throw new Error(`TcpFaultProxy forwards to loopback only, not ${target.host}`);
    const server = createServer();
    const proxy = new TcpFaultProxy(server, { ...target, host: target.host === 'localhost' ? '127.0.0.1' : target.host });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  /** Connections accepted so far (refused ones included). */
  get acceptedConnections(): number {
    return this.accepted;
  }

  setMode(mode: FaultMode): void {
    this.mode = mode;
    for (const pair of this.pairs) {
      if (mode === 'hang') this.stall(pair);
      else if (mode === 'pass') this.flow(pair);
    }
  }

  /** Destroys every open connection (both sides); returns how many there were. */
  cut(): number {
    const n = this.pairs.size;
    for (const pair of [...this.pairs]) this.drop(pair);
    return n;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const pair: Pair = { client };
    this.pairs.add(pair);
    client.on('close', () => this.drop(pair));
    if (this.mode === 'hang') client.pause();
    else this.flow(pair);
  }

  private flow(pair: Pair): void {
    if (!this.pairs.has(pair)) return;
    if (!pair.upstream) {
      const upstream = connect(this.target.port, this.target.host);
      pair.upstream = upstream;
      upstream.on('error', () => this.drop(pair));
      upstream.on('close', () => this.drop(pair));
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  }

  private stall(pair: Pair): void {
    pair.client.unpipe();
    pair.client.pause();
    pair.upstream?.unpipe();
    pair.upstream?.pause();
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
