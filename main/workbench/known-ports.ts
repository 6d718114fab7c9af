/**
 * Which ports the workbench may open: the ones the system lists (plus the demo boards) and the ones
 * the user typed into the UI (`ports.add`, validated as a port spec). Jobs and the monitor check here
 * first, so no single request can make the host open an arbitrary device or TCP service (issue 11:
 * "ports are the listed ones or ones the user typed in the UI"). A typed network port is accepted only
 * when it behaves like a serial bridge (`probe`, main/transport/bridge-probe.ts), so the typed-port
 * feature is not a relay to any TCP service: `monitor.open` and jobs then run only on ports that passed.
 */
import { FlashbackError } from '../errors.js';
import { formatPortSpec, parsePortSpec, type PortSpec } from '../transport/spec.js';
import type { PortInfo } from './api.js';

const MAX_ADDED = 32;

export class KnownPorts {
  private listed = new Set<string>();
  private readonly added = new Map<string, PortInfo>();

  constructor(
    private readonly lister: () => Promise<PortInfo[]>,
    /** Checks a typed socket:// or rfc2217:// endpoint; throws to refuse it. */
    private readonly probe?: (spec: Extract<PortSpec, { kind: 'tcp' | 'rfc2217' }>) => Promise<void>,
  ) {}

  /** The system's ports, then the ones the user added that the system does not list. */
  async list(): Promise<PortInfo[]> {
    const ports = await this.lister();
    this.listed = new Set(ports.map((p) => p.path));
    return [...ports, ...[...this.added.values()].filter((p) => !this.listed.has(p.path))];
  }

  /** Validates and remembers a port the user typed; returns its canonical spelling. */
  async add(spec: string): Promise<string> {
    const parsed = parsePortSpec(spec);
    if (parsed.kind === 'serial' && !/^(\/dev\/|COM\d+$)/.test(parsed.path)) {
      throw new FlashbackError(
        'BAD_PORT_SPEC',
        `"${spec}" is not a serial device`,
        'Serial ports are under /dev/ (Linux, macOS) or COMn (Windows).',
      );
    }
    const path = formatPortSpec(parsed);
    if (!this.added.has(path)) {
      if ((parsed.kind === 'tcp' || parsed.kind === 'rfc2217') && this.probe) await this.probe(parsed);
      if (this.added.size >= MAX_ADDED) {
        const [oldest] = this.added.keys();
        if (oldest !== undefined) this.added.delete(oldest);
      }
      const bridge = parsed.kind === 'tcp' ? 'tcp' : parsed.kind;
      this.added.set(path, {
        path,
        bridge,
        virtual: parsed.kind === 'virtual',
        label: `${path} (added by you)`,
      });
    }
    return path;
  }

  private knows(port: string): boolean {
    return this.listed.has(port) || this.added.has(port);
  }

  /** Throws unless `port` is listed (looking again once: it may just have been plugged in) or added. */
  async check(port: string): Promise<void> {
    if (this.knows(port)) return;
    await this.list().catch(() => undefined);
    if (this.knows(port)) return;
    throw new FlashbackError(
      'BAD_PORT_SPEC',
      `"${port.slice(0, 120)}" is not one of the listed ports`,
      'Choose the port from the list (plug the board in and refresh), or type it into "Add a port" first.',
    );
  }
}
