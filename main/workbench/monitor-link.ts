/**
 * The workbench's serial monitor on a real port: a monitor session (main/mqtt/monitor-session.ts: both
 * rates, the one annotator, reset, send) behind the MonitorLink the port owner manages. A demo board's
 * monitor also brings up an embedded broker and routes the demo sketch's broker name to it, so the demo
 * boards behave as they do in the MQTT check (the good one connects and publishes).
 */
import { defaultBoardAccess } from '../mqtt/board-link.js';
import type { BoardNetwork } from '../mqtt/board-network.js';
import { startDemoBroker } from '../mqtt/demo-broker.js';
import { startMonitorSession } from '../mqtt/monitor-session.js';
import { BOOT_LOG_BAUD } from '../mqtt/serial-log.js';
import type { MonitorLink } from './deps.js';

export async function openMonitorSession(
  port: string,
  baud: number,
  network: BoardNetwork,
): Promise<MonitorLink> {
  const undo: Array<() => unknown> = [];
  const broker = await startDemoBroker(port, network);
  if (broker) undo.push(() => broker.close());
  const cleanup = async () => {
    for (const u of undo.splice(0).reverse()) await Promise.resolve(u()).catch(() => undefined);
  };
  try {
    const link = await defaultBoardAccess.openLink(port, { baud: BOOT_LOG_BAUD });
    type Line = { text: string; rc?: number; meaning?: string; baud?: number };
    const lineListeners = new Set<(l: Line) => void>();
    // Lines of the boot (read while the reset runs) wait for the service to subscribe.
    let early: Line[] | null = [];
    const session = await startMonitorSession(link, {
      monitorBaud: baud,
      // 74880 chosen as the monitor rate: the user wants one rate, the ROM's.
      dualRate: baud !== BOOT_LOG_BAUD,
      reset: defaultBoardAccess.reset,
      onLine: (l) => {
        const note = l.notes.length ? { meaning: l.notes.join(' | ') } : {};
        const text = l.line;
        const line: Line = {
          text,
          ...note,
          ...(l.rc !== undefined ? { rc: l.rc } : {}),
          ...(l.baud ? { baud: l.baud } : {}),
        };
        if (early) {
          if (early.length < 500) early.push(line);
        } else lineListeners.forEach((f) => f(line));
      },
    });
    link.onClose(() => void cleanup());
    return {
      onData: (l) => link.onData(l),
      onClose: (l) => link.onClose(l),
      onLine: (l) => {
        lineListeners.add(l);
        if (early) {
          const held = early;
          early = null;
          held.forEach(l);
        }
        return () => lineListeners.delete(l);
      },
      reset: () => session.reset(),
      send: (text) => session.send(text),
      rates: `${session.rates}${broker ? `; demo broker on 127.0.0.1:${broker.port}` : ''}`,
      close: async () => {
        await session.stop();
        await link.close();
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
