/**
 * One owner per serial port inside the app (USERS.md opening 11): the monitor and the flasher share a
 * port through this class, so they can never get "port busy" from each other. A job takes the port
 * from the monitor (which pauses, closing its link) and gives it back when it ends (the monitor
 * reopens). Two jobs on one port are refused with a hint instead of fighting over the bytes.
 */
import { FlashbackError } from '../errors.js';
import type { MonitorLink } from './deps.js';

type MonitorState = 'open' | 'paused' | 'closed';

interface PortSlot {
  job: string | null;
  monitor: { baud: number; link: MonitorLink | null } | null;
}

export interface MonitorHooks {
  open(port: string, baud: number): Promise<MonitorLink>;
  attach(port: string, link: MonitorLink): void;
  state(port: string, state: MonitorState, reason?: string): void;
}

export class PortOwner {
  private readonly slots = new Map<string, PortSlot>();

  constructor(private readonly hooks: MonitorHooks) {}

  private slot(port: string): PortSlot {
    let s = this.slots.get(port);
    if (!s) this.slots.set(port, (s = { job: null, monitor: null }));
    return s;
  }

  /** The open monitor's link on `port` (null while paused or closed). */
  monitorLink(port: string): MonitorLink | null {
    return this.slots.get(port)?.monitor?.link ?? null;
  }

  holder(port: string): 'job' | 'monitor' | null {
    const s = this.slots.get(port);
    return s?.job ? 'job' : s?.monitor?.link ? 'monitor' : null;
  }

  /** Runs `fn` with the port to itself; the monitor (if any) pauses around it. */
  async withPort<T>(port: string, jobId: string, fn: () => Promise<T>): Promise<T> {
    const s = this.slot(port);
    if (s.job) {
      throw new FlashbackError(
        'PORT_BUSY',
        `${port} is in use by another Flashback job`,
        'Wait for that job to finish or cancel it, then Retry.',
      );
    }
    s.job = jobId;
    const mon = s.monitor;
    if (mon?.link) {
      const link = mon.link;
      mon.link = null;
      await link.close().catch(() => undefined);
      this.hooks.state(port, 'paused', 'A flash job is using the port; the monitor resumes after it.');
    }
    try {
      return await fn();
    } finally {
      s.job = null;
      if (s.monitor) await this.reopen(port, s);
    }
  }

  async openMonitor(port: string, baud: number): Promise<void> {
    const s = this.slot(port);
    if (s.monitor?.link) {
      if (s.monitor.baud === baud) return;
      await s.monitor.link.close().catch(() => undefined);
    }
    s.monitor = { baud, link: null };
    if (s.job) {
      this.hooks.state(port, 'paused', 'A flash job is using the port; the monitor starts after it.');
      return;
    }
    await this.reopen(port, s, true);
  }

  async closeMonitor(port: string): Promise<boolean> {
    const s = this.slots.get(port);
    if (!s?.monitor) return false;
    const link = s.monitor.link;
    s.monitor = null;
    await link?.close().catch(() => undefined);
    this.hooks.state(port, 'closed');
    return true;
  }

  async closeAll(): Promise<void> {
    for (const port of [...this.slots.keys()]) await this.closeMonitor(port);
  }

  private async reopen(port: string, s: PortSlot, rethrow = false): Promise<void> {
    const mon = s.monitor;
    if (!mon) return;
    try {
      const link = await this.hooks.open(port, mon.baud);
      if (s.monitor !== mon) {
        await link.close();
        return;
      }
      mon.link = link;
      link.onClose((err) => {
        if (mon.link !== link) return;
        mon.link = null;
        this.hooks.state(port, 'closed', err ? err.message : undefined);
      });
      this.hooks.attach(port, link);
      this.hooks.state(port, 'open');
    } catch (e) {
      s.monitor = null;
      this.hooks.state(port, 'closed', (e as Error).message);
      if (rethrow) throw e;
    }
  }
}
