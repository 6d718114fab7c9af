/** ports.add: a typed port is parsed at the boundary, canonicalised and listed (or refused). */
import { describe, expect, it } from 'vitest';
import type { WorkbenchDeps } from '../../main/workbench/deps.js';
import { dispatch } from '../../main/workbench/dispatch.js';
import { WorkbenchService, isPortSpec } from '../../main/workbench/service.js';
import { isPortSpec as isPortSpecFlash } from '../../main/flash/index.js';

const svc = () =>
  new WorkbenchService({ listPorts: async () => [] } as unknown as WorkbenchDeps, {
    shell: 'browser',
    pollMs: 0,
  });

describe('ports.add', () => {
  it('canonicalises a typed rfc2217:// port and lists it', async () => {
    const s = svc();
    const r = await dispatch(s, 'ports.add', { port: ' RFC2217://10.0.0.7:2217/ ' });
    expect(r).toMatchObject({ ok: true, value: { port: 'rfc2217://10.0.0.7:2217' } });
    expect(r.ok && (r.value as { ports: { path: string; bridge: string }[] }).ports).toEqual([
      expect.objectContaining({ path: 'rfc2217://10.0.0.7:2217', bridge: 'rfc2217' }),
    ]);
    expect(await dispatch(s, 'ports.list', {})).toMatchObject({
      ok: true,
      value: [{ path: 'rfc2217://10.0.0.7:2217' }],
    });
  });

  it('refuses what is not a port with BAD_PORT_SPEC and examples', async () => {
    const r = await dispatch(svc(), 'ports.add', { port: 'rfc2217://host' });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_PORT_SPEC' } });
    if (!r.ok) expect(r.error.hint).toMatch(/rfc2217:\/\//);
  });

  it('compare and the jobs treat rfc2217:// as a port, not an image file', () => {
    for (const f of [isPortSpec, isPortSpecFlash]) {
      expect(f('rfc2217://10.0.0.7:2217')).toBe(true);
      expect(f('socket://10.0.0.7:4000')).toBe(true);
      expect(f('backup.bin')).toBe(false);
    }
  });
});
