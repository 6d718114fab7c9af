/** ports.check: a typed port is parsed at the boundary, canonicalised, and explained (or refused). */
import { describe, expect, it } from 'vitest';
import type { WorkbenchDeps } from '../../main/workbench/deps.js';
import { dispatch } from '../../main/workbench/dispatch.js';
import { WorkbenchService, isPortSpec } from '../../main/workbench/service.js';
import { isPortSpec as isPortSpecFlash } from '../../main/flash/index.js';

const svc = new WorkbenchService({ listPorts: async () => [] } as unknown as WorkbenchDeps, {
  shell: 'browser',
  pollMs: 0,
});

describe('ports.check', () => {
  it('canonicalises typed ports and says what reset and baud do on each kind', async () => {
    const rfc = await dispatch(svc, 'ports.check', { port: ' RFC2217://10.0.0.7:2217/ ' });
    expect(rfc).toMatchObject({ ok: true, value: { port: 'rfc2217://10.0.0.7:2217', kind: 'rfc2217' } });
    expect(JSON.stringify(rfc)).toMatch(/DTR\/RTS reset/);
    const sock = await dispatch(svc, 'ports.check', { port: 'socket://[::1]:4000' });
    expect(sock).toMatchObject({ ok: true, value: { port: 'socket://[::1]:4000', kind: 'tcp' } });
    expect(JSON.stringify(sock)).toMatch(/bootloader mode by hand/);
    expect(await dispatch(svc, 'ports.check', { port: 'com7' })).toMatchObject({
      ok: true,
      value: { port: 'COM7', kind: 'serial' },
    });
  });

  it('refuses what is not a port with BAD_PORT_SPEC and examples', async () => {
    const r = await dispatch(svc, 'ports.check', { port: 'rfc2217://host' });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_PORT_SPEC' } });
    if (!r.ok) expect(r.error.hint).toMatch(/rfc2217:\/\//);
    expect(await dispatch(svc, 'ports.check', { port: '' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' },
    });
  });

  it('compare and the jobs treat rfc2217:// as a port, not an image file', () => {
    for (const f of [isPortSpec, isPortSpecFlash]) {
      expect(f('rfc2217://10.0.0.7:2217')).toBe(true);
      expect(f('socket://10.0.0.7:4000')).toBe(true);
      expect(f('backup.bin')).toBe(false);
    }
  });
});
