/**
 * The one folder Flashback keeps things in (DESIGN.md "Data folder"): $FLASHBACK_HOME, else the
 * platform's app-data folder. The desktop app passes Electron's userData path in the same variable.
 */
import os from 'node:os';
import path from 'node:path';

export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLASHBACK_HOME) return path.resolve(env.FLASHBACK_HOME);
  const home = os.homedir();
  if (process.platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'flashback');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'flashback');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'flashback');
}

export const dataPaths = {
  library: (env?: NodeJS.ProcessEnv) => path.join(dataHome(env), 'library'),
  virtual: (env?: NodeJS.ProcessEnv) => path.join(dataHome(env), 'virtual'),
  journal: (env?: NodeJS.ProcessEnv) => path.join(dataHome(env), 'journal'),
  settings: (env?: NodeJS.ProcessEnv) => path.join(dataHome(env), 'settings.json'),
};
