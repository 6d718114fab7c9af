/**
 * End to end: flashing firmware files onto a demo board through the browser host (`flashback serve`,
 * the production UI in Debian's Chromium via playwright-core). An Arduino bin is chosen with the file
 * input and Espressif's init data is dropped on the drop zone; both are recognised and placed, the plan
 * warns that init data over an Arduino build's RF calibration is not what that firmware uses, the write
 * (automatic backup, diff, MD5) lands on the board's flash, and "Verify" agrees. Then the donor-less
 * repair is planned from the wizard. Browser, host and waits: test/support/e2e-workbench.ts.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../main/workbench/api.js';
import { arduinoBin } from '../support/firmware-files.js';
import { JOB, UI, chromiumTool, poll, useWorkbenchPage } from '../support/e2e-workbench.js';

const root = path.resolve(import.meta.dirname, '../..');
const MB4 = 4 * 1024 * 1024;
const initData = readFileSync(path.join(root, 'test/fixtures/esp8266/esp_init_data_default_v08.bin'));

describe.skipIf(chromiumTool.missing)('flash firmware e2e (flashback serve + Chromium, demo board)', () => {
  const e2e = useWorkbenchPage();
  const { shot } = e2e;

  it('writes an Arduino bin (file input) and init data (dropped) onto virtual:bad, then verifies', async () => {
    const { page, host } = e2e;
    await page.getByRole('tab', { name: 'Flash firmware' }).click();
    const port = page.getByLabel('Board port');
    await expect.poll(() => port.locator('option[value="virtual:bad"]').count(), poll).toBe(1);
    await port.selectOption('virtual:bad');
    await page.getByRole('button', { name: 'Detect the board' }).click();
    await page.getByRole('region', { name: 'Target board' }).waitFor({ timeout: JOB });

    const sketch = Buffer.from(arduinoBin());
    await page
      .getByLabel('Or choose files')
      .setInputFiles({ name: 'blink.ino.bin', mimeType: 'application/octet-stream', buffer: sketch });
    // Drag and drop: a real DataTransfer with two Files, dropped on the zone. The one over the upload
    // limit is refused with the limit's message; the other comes in with its own bytes.
    await page.evaluate(
      ({ bytes, tooBig }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(tooBig)], 'whole-disk.img'));
        dt.items.add(new File([new Uint8Array(bytes)], 'esp_init_data_default_v08.bin'));
        const zone = document.querySelector('[aria-label="Firmware files"]')!;
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { bytes: Array.from(initData), tooBig: MAX_UPLOAD_BYTES + 1 },
    );
    await page.getByText(`The file is ${MAX_UPLOAD_BYTES + 1} bytes`).waitFor({ timeout: UI });

    const files = page.getByRole('list', { name: 'Files to write' });
    const sketchRow = files.getByRole('listitem', { name: 'blink.ino.bin' });
    const initRow = files.getByRole('listitem', { name: 'esp_init_data_default_v08.bin' });
    await sketchRow.locator('.badge.kind').waitFor({ timeout: UI });
    await initRow.locator('.badge.kind').waitFor({ timeout: UI });
    expect(await sketchRow.locator('.badge.kind').textContent()).toMatch(/Arduino/);
    expect(await initRow.locator('.badge.kind').textContent()).toMatch(/init data/i);
    expect(await files.getByRole('listitem', { name: 'whole-disk.img' }).count()).toBe(0);
    await expect.poll(() => sketchRow.getByLabel('Address').inputValue(), poll).toBe('0x0');
    await expect.poll(() => initRow.getByLabel('Address').inputValue(), poll).toBe('0x3FC000');
    await shot('flash-firmware-files');

    await page.getByRole('button', { name: 'Plan the write' }).click();
    const plan = page.getByRole('region', { name: 'Write plan' });
    await plan.waitFor({ timeout: JOB });
    expect(await plan.textContent()).toMatch(/backed up into the library/);
    expect(await plan.getByRole('list', { name: 'Warnings' }).textContent()).toMatch(/0x3FC000/i);
    await shot('flash-firmware-plan');

    await page.getByRole('button', { name: /^Write \d+ sectors?$/ }).click();
    const result = page.getByRole('status', { name: 'Write result' });
    await result.waitFor({ timeout: JOB });
    expect(await result.textContent()).toMatch(/Written and verified/);

    await page.getByRole('button', { name: 'Verify the files on the board' }).click();
    const verified = page.getByRole('status', { name: 'Verify result' });
    await verified.waitFor({ timeout: JOB });
    expect(await verified.textContent()).toMatch(/The board holds every file/);
    await shot('flash-firmware-written');

    // The board's flash (saved by the host when the port closed) holds both files.
    await expect
      .poll(() => {
        const flash = readFileSync(path.join(host.home, 'virtual', 'bad.bin'));
        return (
          flash.subarray(0, sketch.length).equals(sketch) &&
          flash.subarray(MB4 - 0x4000, MB4 - 0x4000 + initData.length).equals(initData)
        );
      }, poll)
      .toBe(true);
  }, 900_000);

  it('takes a typed rfc2217:// port, and plans the donor-less factory-data repair from the wizard', async () => {
    const { page } = e2e;
    const bad = page.getByLabel('Bad board port');
    await expect.poll(() => bad.locator('option[value="virtual:bad"]').count(), poll).toBe(1);
    // A remote adapter is typed, checked by the host (it must agree to RFC 2217's COM-PORT option, as
    // ser2net does) and offered in both pickers.
    const bridge = net.createServer((c) =>
      c.on(
        'data',
        (d) => d.includes(Buffer.from([0xff, 0xfb, 44])) && c.write(Buffer.from([0xff, 0xfd, 44])),
      ),
    );
    await new Promise<void>((r) => bridge.listen(0, '127.0.0.1', r));
    const typed = `rfc2217://127.0.0.1:${(bridge.address() as net.AddressInfo).port}`;
    await page.getByLabel('Or type a port').first().fill(typed);
    await page.getByRole('button', { name: 'Use this port' }).first().click();
    await expect.poll(() => page.getByLabel('Good board port').inputValue(), poll).toBe(typed);
    bridge.close();
    expect(await bad.locator('optgroup[label="Typed ports"] option').count()).toBe(1);
    expect(await page.getByText(/DTR\/RTS reset follow Flashback/).count()).toBe(1);
    await shot('wizard-ports-typed');
    await bad.selectOption('virtual:bad');
    await page.getByRole('button', { name: 'No good board? Repair the factory data' }).click();
    await page.getByRole('button', { name: 'Plan the repair' }).click();
    const plan = page.getByRole('region', { name: 'Repair plan' });
    await plan.waitFor({ timeout: JOB });
    expect(await plan.textContent()).toMatch(/Stored WiFi settings are reset/);
    await shot('wizard-repair-plan');
  }, 600_000);
});
