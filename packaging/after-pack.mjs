// electron-builder afterPack hook: flips Electron's fuses in the packaged binary (issue 11). No "run as
// plain Node" (ELECTRON_RUN_AS_NODE), no NODE_OPTIONS / --inspect to inject code, cookies encrypted on
// disk, app code only from app.asar. grantFileProtocolExtraPrivileges stays on: the UI is loaded from
// file:// and its module scripts need it. Asar integrity validation only where the packager embeds the
// integrity hash (macOS Info.plist with electron-builder 25; Electron does not validate on Linux).
// electron-builder 26 has an `electronFuses` option, but it needs Node 22; this hook does the same on 25.
import path from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

/** The file holding the fuse wire for the packed app in `appOutDir`. */
export function electronBinary(context) {
  const { appOutDir, electronPlatformName: platform, packager } = context;
  const product = packager.appInfo.productFilename;
  if (platform === 'darwin' || platform === 'mas') return path.join(appOutDir, `${product}.app`);
  if (platform === 'win32') return path.join(appOutDir, `${product}.exe`);
  return path.join(appOutDir, packager.executableName);
}

export const fuses = (platform) => ({
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: platform === 'darwin' || platform === 'mas',
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
});

export default async function afterPack(context) {
  const platform = context.electronPlatformName;
  await flipFuses(electronBinary(context), {
    ...fuses(platform),
    // Flipping fuses breaks the ad-hoc signature of an arm64 macOS binary; re-sign it ad hoc.
    resetAdHocDarwinSignature: platform === 'darwin' && context.arch === 3,
  });
}
