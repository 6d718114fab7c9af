/**
 * Serves one virtual board on raw TCP, as ser2net or ESP-Link would (pyserial/esptool `socket://`).
 * No control lines and no baud change cross a socket, so the host side stays at 115200 and the board
 * is normally created in download mode. One client at a time; esptool opens and closes the socket per
 * run, so reconnections are accepted (a second simultaneous client is refused).
 */
import net from 'node:net';
import type { VirtualBoard } from './board.js';
import type { BoardWire } from './wire.js';

export interface SimServer {
  readonly port: number;
  readonly host: string;
  /** `socket://HOST:PORT` */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export interface SimServerOptions {
  host?: string;
  port?: number;
  /** Gives the board's wire (default: board.wire()); the registry's wrapper saves on detach. */
  wire?: () => BoardWire;
  log?: (line: string) => void;
  /**
   * The rate of the bridge's serial side (ser2net configured at e.g. 921600): the host cannot see or
   * change it over TCP. Default 115200.
   */
  lineBaud?: number;
}

export function startSimServer(board: VirtualBoard, opts: SimServerOptions = {}): Promise<SimServer> {
  const host = opts.host ?? '127.0.0.1';
  const getWire = opts.wire ?? (() => board.wire());
  let active: net.Socket | null = null;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  board.powerOn();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (active) {
      opts.log?.('refused a second connection (one host at a time)');
      socket.destroy();
      return;
    }
    active = socket;
    connections++;
    socket.setNoDelay(true);
    const wire = getWire();
    if (opts.lineBaud) wire.setHostBaud(opts.lineBaud);
    const offData = wire.onBoardData((chunk) => {
      if (!socket.destroyed) socket.write(chunk);
    });
    const offCut = wire.onDisconnect(() => socket.destroy());
    socket.on('data', (chunk) => wire.hostWrite(new Uint8Array(chunk)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      offData();
      offCut();
      wire.detach();
      if (active === socket) active = null;
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        host,
        url: `socket://${host}:${addr.port}`,
        get connections() {
          return connections;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
