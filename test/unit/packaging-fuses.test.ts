/**
 * The Electron fuses packaging/after-pack.mjs sets, per platform (package-smoke.test.ts checks the wire
 * it flips in a packed binary).
 */
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { fuses } from '../../packaging/after-pack.mjs';

describe('Electron fuses of the desktop package', () => {
  it('no run-as-node, no NODE_OPTIONS/--inspect, cookies encrypted, app code only from app.asar', () => {
    for (const platform of ['linux', 'win32', 'darwin']) {
      const f = fuses(platform);
      expect(f[FuseV1Options.RunAsNode]).toBe(false);
      expect(f[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
      expect(f[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
      expect(f[FuseV1Options.EnableCookieEncryption]).toBe(true);
      expect(f[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
      // The UI is loaded from file://; its module scripts need the file protocol's privileges.
      expect(f[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(true);
    }
  });

  it('asks for asar integrity validation only where electron-builder 25 embeds the hash (macOS)', () => {
    expect(fuses('darwin')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuses('linux')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(false);
    expect(fuses('win32')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(false);
  });
});
