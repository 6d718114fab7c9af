import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../main/esp/reset.js';

describe('sleep', () => {
  it('leaves no abort listener behind when it times out (manual mode retries ~100 times)', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
  it('returns at once when aborted', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const p = sleep(5000, ac.signal);
    ac.abort();
    await p;
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
