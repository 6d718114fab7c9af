/** Starts the whole browser workbench: real services + the host serving the built renderer. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-info.js';
import { createRealDeps } from '../workbench/real-deps.js';
import { WorkbenchService } from '../workbench/service.js';
import { type RunningHost, startHost } from './server.js';

export const DEFAULT_STATIC_DIR = path.join(packageRoot(), 'dist-renderer');

export interface Workbench extends RunningHost {
  service: WorkbenchService;
  /** False when dist-renderer/ has no index.html (the page then says how to build it). */
  built: boolean;
}

export async function startWorkbench(
  opts: { host?: string; port?: number; staticDir?: string; library?: string; broker?: string } = {},
): Promise<Workbench> {
  const staticDir = opts.staticDir ?? DEFAULT_STATIC_DIR;
  const service = new WorkbenchService(
    createRealDeps({ libraryDir: opts.library, broker: opts.broker ?? null }),
    { shell: 'browser' },
  );
  const host = await startHost({ service, staticDir, host: opts.host, port: opts.port });
  return {
    ...host,
    service,
    built: existsSync(path.join(staticDir, 'index.html')),
    close: async () => {
      await host.close();
      await service.close();
    },
  };
}
