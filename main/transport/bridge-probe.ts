/**
 * Does a TCP endpoint behave like a serial bridge? The workbench asks before it accepts a typed
 * socket:// or rfc2217:// port (issue 11 item 7: `ports.add` + `monitor.open` must not make the host a
 * relay to any TCP service for whoever holds the token). The rule, checked without sending a byte the
 * board could see (socket://) or with only the RFC 2217 handshake (rfc2217://):
 *
 * 1. Not a well-known service port (SSH, SMTP, HTTP, databases, MQTT, remote desktops…): a bridge is
 *    never there (ser2net, ESP-Link and esp_rfc2217_server use 23, 2000–4000, 2217, 8880…).
 * 2. It accepts a TCP connection within the timeout.
 * 3. It does not greet like a server protocol (an SSH/SMTP/FTP/POP/IMAP banner, HTTP, a TLS record,
 *    a database handshake): a bridge passes on only what the board prints.
 * 4. rfc2217:// must agree to the COM-PORT option (RFC 2217) — a telnet server that does not is no
 *    serial bridge.
 *
 * What stays possible: a silent text service on an unusual port passes 1–3. The token remains the
 * boundary; this only keeps the typed-port feature from being a general TCP relay.
 */
import net from 'node:net';
import { FlashbackError } from '../errors.js';
import type { PortSpec } from './spec.js';

/** Ports of services that are never a serial bridge (IANA well-known and common database/broker ports). */
const SERVICE_PORTS = new Map<number, string>([
  [21, 'FTP'],
  [22, 'SSH'],
  [25, 'SMTP'],
  [53, 'DNS'],
  [80, 'HTTP'],
  [110, 'POP3'],
  [111, 'RPC'],
  [135, 'RPC'],
  [139, 'SMB'],
  [143, 'IMAP'],
  [389, 'LDAP'],
  [443, 'HTTPS'],
  [445, 'SMB'],
  [465, 'SMTP'],
  [587, 'SMTP'],
  [631, 'IPP'],
  [636, 'LDAPS'],
  [993, 'IMAPS'],
  [995, 'POP3S'],
  [1433, 'SQL Server'],
  [1521, 'Oracle'],
  [1883, 'MQTT'],
  [2049, 'NFS'],
  [2375, 'Docker'],
  [2376, 'Docker'],
  [3306, 'MySQL'],
  [3389, 'RDP'],
  [5000, 'HTTP'],
  [5432, 'PostgreSQL'],
  [5672, 'AMQP'],
  [5900, 'VNC'],
  [5984, 'CouchDB'],
  [6379, 'Redis'],
  [6443, 'Kubernetes'],
  [8080, 'HTTP'],
  [8443, 'HTTPS'],
  [8883, 'MQTT over TLS'],
  [9092, 'Kafka'],
  [9200, 'Elasticsearch'],
  [11211, 'memcached'],
  [27017, 'MongoDB'],
]);

/** Opening bytes of server protocols that speak first; a serial bridge never sends these on connect. */
const GREETINGS: Array<[RegExp, string]> = [
  [/^SSH-\d/, 'SSH'],
  [/^220[ -]/, 'an FTP or SMTP server'],
  [/^\+OK/, 'a POP3 server'],
  [/^\* (OK|PREAUTH)/, 'an IMAP server'],
  [/^HTTP\/\d/, 'an HTTP server'],
  [/^RFB \d{3}\.\d{3}/, 'a VNC server'],
  [/^-(ERR|NOAUTH|DENIED)/, 'a Redis server'],
  [/^AMQP/, 'an AMQP broker'],
];

function greeting(first: Buffer): string | null {
  const text = first.subarray(0, 64).toString('latin1');
  for (const [re, what] of GREETINGS) if (re.test(text)) return what;
  if (first[0] === 0x16 && first[1] === 0x03) return 'a TLS server';
  // MySQL/MariaDB: 3-byte length, sequence 0, protocol version 10, then the server version string.
  if (
    first.length > 5 &&
    first[3] === 0 &&
    first[4] === 0x0a &&
    /^\d+\.\d+/.test(first.toString('latin1', 5, 12))
  )
    return 'a MySQL server';
  return null;
}

const IAC = 0xff;
const WILL = 0xfb;
const DO = 0xfd;
const COM_PORT_OPTION = 44;

/** IAC DO 44 or IAC WILL 44 from the server: it speaks RFC 2217. */
function agreesComPort(bytes: Buffer): boolean {
  for (let i = 0; i + 2 < bytes.length; i++)
    if (
      bytes[i] === IAC &&
      (bytes[i + 1] === DO || bytes[i + 1] === WILL) &&
      bytes[i + 2] === COM_PORT_OPTION
    )
      return true;
  return false;
}

export interface BridgeProbeOptions {
  /** TCP connect timeout (default 3 s). */
  connectMs?: number;
  /** How long to listen for a greeting or the RFC 2217 answer (default 600 ms). */
  listenMs?: number;
  signal?: AbortSignal;
}

function refused(spec: string, why: string, hint: string): FlashbackError {
  return new FlashbackError('BAD_PORT_SPEC', `${spec} is not a serial bridge: ${why}`, hint);
}

/** Resolves when the endpoint may be a serial bridge; throws BAD_PORT_SPEC saying why not. */
export async function probeSerialBridge(
  p: Extract<PortSpec, { kind: 'tcp' | 'rfc2217' }>,
  opts: BridgeProbeOptions = {},
): Promise<void> {
  const scheme = p.kind === 'tcp' ? 'socket' : 'rfc2217';
  const spec = `${scheme}://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
  const service = SERVICE_PORTS.get(p.port);
  if (service)
    throw refused(
      spec,
      `port ${p.port} is the ${service} port`,
      'Give the port your serial bridge listens on (ser2net, ESP-Link, esp_rfc2217_server: e.g. 23, 2000, 2217, 4000).',
    );
  const connectMs = opts.connectMs ?? 3000;
  const listenMs = opts.listenMs ?? 600;
  const received = await new Promise<Buffer>((resolve, reject) => {
    const sock = net.connect({ host: p.host, port: p.port });
    const chunks: Buffer[] = [];
    let timer = setTimeout(
      () =>
        finish(
          refused(
            spec,
            `no answer to a TCP connect within ${connectMs} ms`,
            'Check the address, that the bridge is running, and that no firewall is in the way.',
          ),
        ),
      connectMs,
    );
    const finish = (err?: Error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    const onAbort = () =>
      finish(new FlashbackError('ABORTED', 'Port check was cancelled', 'Add the port again.'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => {
      clearTimeout(timer);
      // RFC 2217: the client offers the COM-PORT option; a bridge agrees at once.
      if (p.kind === 'rfc2217') sock.write(Uint8Array.of(IAC, WILL, COM_PORT_OPTION));
      timer = setTimeout(() => finish(), listenMs);
    });
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (greeting(all) !== null || (p.kind === 'rfc2217' && agreesComPort(all)) || all.length > 4096)
        finish();
    });
    sock.once('error', (e: NodeJS.ErrnoException) =>
      finish(
        refused(
          spec,
          `cannot connect (${e.code ?? e.message})`,
          'Check the address and port, and that the bridge is running.',
        ),
      ),
    );
  });
  const what = greeting(received);
  if (what)
    throw refused(
      spec,
      `it greets like ${what}`,
      'Give the port your serial bridge listens on; Flashback only opens ports that carry a board’s serial line.',
    );
  if (p.kind === 'rfc2217' && !agreesComPort(received))
    throw refused(
      spec,
      'it does not agree to the RFC 2217 COM-PORT option',
      'For a raw TCP bridge (no baud or reset control) use socket://HOST:PORT instead.',
    );
}
