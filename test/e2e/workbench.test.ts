/**
 * End to end: the production build of the renderer, served by `flashback serve` (the real CLI and host,
 * as a user runs it), driven by playwright-core in Debian's Chromium through the whole wizard on the demo
 * boards — the MQTT check fails on the bad board before the restore and passes after — plus the compare
 * view. Every test starts from its own state: its own data folder (FLASHBACK_HOME, so factory-fresh demo
 * boards and an empty library), its own host process and its own browser context. Waits are sized for a
 * loaded 2-core machine (explicit, generous timeouts; nothing relies on a 1 s default). Browser, host
 * and waits: test/support/e2e-workbench.ts; screenshots go to test-output/e2e (ignored).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB, UI, chromiumTool, poll, shotsDir, useWorkbenchPage } from '../support/e2e-workbench.js';

describe.skipIf(chromiumTool.missing)('workbench e2e (flashback serve + Chromium, demo boards)', () => {
  const e2e = useWorkbenchPage();
  const { shot } = e2e;

  async function runMqttCheck(expected: 'PASS' | 'FAIL', when: RegExp) {
    const { page } = e2e;
    await page.getByRole('button', { name: 'Run MQTT check' }).click();
    const verdict = page.getByRole('status', { name: 'MQTT verdict' }).filter({ hasText: when }).first();
    await verdict.waitFor({ timeout: JOB });
    expect(await verdict.locator('.verdict-word').textContent()).toBe(expected);
  }

  it('walks the whole wizard: bad board fails the MQTT check, restore from the good board, then it passes', async () => {
    const { page } = e2e;
    // 1. Detect: the demo boards are offered and labelled virtual.
    await expect
      .poll(() => page.getByLabel('Good board port').locator('option[value="virtual:good"]').count(), poll)
      .toBe(1);
    expect(
      await page
        .getByLabel('Good board port')
        .locator('optgroup[label="Demo boards (virtual)"] option')
        .count(),
    ).toBe(2);
    await page.getByLabel('Good board port').selectOption('virtual:good');
    await page.getByLabel('Bad board port').selectOption('virtual:bad');
    await page.getByRole('button', { name: 'Detect good board' }).click();
    await page.getByRole('button', { name: 'Detect bad board' }).click();
    await page.getByRole('region', { name: 'Good board board' }).waitFor({ timeout: UI });
    await page.getByRole('region', { name: 'Bad board board' }).waitFor({ timeout: UI });
    expect(await page.getByRole('region', { name: 'Bad board board' }).textContent()).toMatch(
      /ESP8266EX.*4 MiB/,
    );
    await shot('1-detect');

    // The MQTT check on the bad board before the restore: rc=-2 with its meaning, verdict FAIL.
    await page
      .getByRole('button', { name: /MQTT check/ })
      .first()
      .click();
    await runMqttCheck('FAIL', /before the restore/);
    expect(await page.getByText(/rc=-2:? MQTT_CONNECT_FAILED/).count()).toBeGreaterThan(0);
    await shot('2-mqtt-before');

    // 2. Back up the good board.
    await page
      .getByRole('button', { name: /Back up good board/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Back up good board' }).last().click();
    await page.getByRole('progressbar', { name: 'Backup progress' }).waitFor({ timeout: UI });
    await page.locator('.job-progress-stats', { hasText: /Rate \d.*\/s/ }).waitFor({ timeout: UI });
    expect(await page.locator('.job-progress-stats').textContent()).toMatch(/ETA/);
    await shot('2b-backup-progress');
    await page.getByRole('status', { name: 'Backup result' }).waitFor({ timeout: JOB });
    await page.getByRole('button', { name: 'Next: restore to the bad board' }).click();

    // 3. Restore: the plan first, then write on confirm.
    await page.getByRole('button', { name: 'Plan restore' }).click();
    const plan = page.getByRole('region', { name: 'Restore plan' });
    await plan.waitFor({ timeout: JOB });
    expect(await plan.textContent()).toMatch(/backed up into the library first/);
    expect(await plan.textContent()).toMatch(/Kept as in the image/);
    await shot('3-restore-plan');
    await page.getByRole('button', { name: /Confirm and write \d+ sectors to virtual:bad/ }).click();
    const restored = page.getByRole('status', { name: 'Restore result' });
    await restored.waitFor({ timeout: JOB });
    expect(await restored.textContent()).toMatch(/Restored and verified/);

    // 4. MQTT check again: now it passes.
    await page.getByRole('button', { name: 'Next: MQTT check' }).click();
    await runMqttCheck('PASS', /after the restore/);
    await shot('4-mqtt-after');
  }, 900_000);

  it('compare view shows the factory-fresh demo boards differ in the RF calibration at a glance', async () => {
    const { page } = e2e;
    // This test's own host has factory-fresh demo boards: compare the two live boards directly.
    await page.getByRole('tab', { name: 'Compare' }).click();
    for (const [side, port] of [
      ['A', 'virtual:good'],
      ['B', 'virtual:bad'],
    ] as const) {
      const pane = page.getByRole('group', { name: `Side ${side}` });
      await pane.getByLabel('Board').check();
      const select = pane.getByLabel(`Side ${side} port`);
      await expect.poll(() => select.locator(`option[value="${port}"]`).count(), poll).toBe(1);
      await select.selectOption(port);
    }
    await page.getByRole('button', { name: 'Compare A and B' }).click();
    const summary = page.locator('.compare-result .summary');
    await summary.waitFor({ timeout: JOB });
    expect(await summary.textContent()).toMatch(/RF calibration|rf-cal/i);
    expect(await page.locator('.sector-map .cell').count()).toBe(1024);
    expect(
      await page.locator('.sector-map .s-diff, .sector-map .s-a-blank, .sector-map .s-b-blank').count(),
    ).toBeGreaterThan(0);
    const flagged = page.getByRole('table', { name: 'Regions' }).locator('tr.row-diff');
    expect(await flagged.count()).toBeGreaterThan(0);
    await page.locator('.sector-map .s-diff').first().hover();
    await expect
      .poll(() => page.locator('.hover-info').textContent(), poll)
      .toMatch(/^0x[0-9A-F]{6} \(sector \d+\) — /);
    await shot('5-compare');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('6-compare-dark');
  }, 600_000);

  it('files in by upload, out by download, and a reload reattaches to a running job', async () => {
    const { page } = e2e;
    const { buildDemoImage } = await import('../../main/sim/demo-image.js');
    // In: the compare view takes an image file through the browser's file chooser (an upload).
    await page.getByRole('tab', { name: 'Compare' }).click();
    const sideB = page.getByRole('group', { name: 'Side B' });
    await sideB.getByLabel('Image file').check();
    await sideB.getByLabel('Side B image file').setInputFiles({
      name: 'bad-board.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(buildDemoImage('bad', 4 << 20)),
    });
    await sideB.getByText('bad-board.bin (4 MiB)').waitFor({ timeout: UI });
    await page.getByRole('button', { name: 'Compare A and B' }).click();
    await page.locator('.compare-result .summary').waitFor({ timeout: JOB });

    // A backup in the library (this test starts from an empty data folder).
    await page.getByRole('tab', { name: 'Rescue wizard' }).click();
    await expect
      .poll(() => page.getByLabel('Good board port').locator('option[value="virtual:good"]').count(), poll)
      .toBe(1);
    await page.getByLabel('Good board port').selectOption('virtual:good');
    await page.getByRole('button', { name: 'Detect good board' }).click();
    await page.getByRole('region', { name: 'Good board board' }).waitFor({ timeout: JOB });
    await page
      .getByRole('button', { name: /Back up good board/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Back up good board' }).last().click();
    await page.getByRole('status', { name: 'Backup result' }).waitFor({ timeout: JOB });

    // Out: a library export arrives as a browser download (no path typed anywhere).
    await page.getByRole('tab', { name: 'Library' }).click();
    const row = page.getByRole('table', { name: 'Backups' }).locator('tbody tr').first();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Export (scrubbed)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-scrubbed\.bin$/);
    const saved = path.join(shotsDir, 'export.bin');
    await download.saveAs(saved);
    expect(statSync(saved).size).toBe(4 << 20);

    // Reattach: start a backup, reload mid-way; the wizard and the running job come back, Cancel works.
    await page.getByRole('tab', { name: 'Rescue wizard' }).click();
    await page.getByRole('button', { name: 'Back up good board' }).last().click();
    await page.getByRole('progressbar', { name: 'Backup progress' }).waitFor({ timeout: UI });
    await page.reload();
    await page.getByRole('heading', { name: /Back up the good board/i }).waitFor({ timeout: UI });
    const jobs = page.getByRole('table', { name: 'Jobs' });
    const cancel = jobs.getByRole('button', { name: 'Cancel Back up on virtual:good' });
    await cancel.waitFor({ timeout: UI });
    await page.getByRole('progressbar', { name: 'Backup progress' }).waitFor({ timeout: UI });
    await cancel.click();
    const t0 = Date.now();
    await jobs
      .getByText('cancelled')
      .first()
      .waitFor({ timeout: UI })
      .catch(async (e: unknown) => {
        console.log('jobs table:', await jobs.textContent());
        throw e;
      });
    console.log(`backup cancel shown after ${Date.now() - t0} ms`);
    await shot('7-reattached-cancelled');
  }, 600_000);
});
