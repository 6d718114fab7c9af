import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { espressifInitData, packageRoot, resourcePath } from '../../main/resources.js';
import { identifyFile } from '../../main/image/firmware-id.js';
import { FIXTURES } from '../support/home.js';

describe('shipped resources', () => {
  it('finds the package root (package.json + resources/) from the module, and the licence beside the init data', () => {
    expect(fs.existsSync(path.join(packageRoot(), 'package.json'))).toBe(true);
    expect(
      fs.readFileSync(resourcePath('esp8266', 'ESPRESSIF-LICENSE')).includes('ESPRESSIF MIT License'),
    ).toBe(true);
  });

  it('loads Espressif’s esp_init_data_default_v08.bin byte for byte (hash-checked)', () => {
    const shipped = espressifInitData();
    const sdk = fs.readFileSync(path.join(FIXTURES, 'esp_init_data_default_v08.bin'));
    expect(Buffer.from(shipped).equals(sdk)).toBe(true);
    expect(identifyFile(shipped)).toMatchObject({ kind: 'rf-init-data', espressifInitData: 'v08' });
  });
});
