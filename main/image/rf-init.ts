/**
 * The SDK's 128-byte RF (PHY) init data at S−0x4000 (ESP8266-NOTES 5.5). Byte 0 must be 0x05 or the
 * NONOS SDK prints `rf_cal[0] !=0x05,is 0xNN` and halts: the seed story of a board that cannot get
 * on WiFi although its sketch is fine.
 */
export const RF_INIT_LENGTH = 128;
export const RF_MAGIC = 0x05;

/** Field offsets with the meaning the notes give them. */
export const RF = {
  magic: 0,
  version: 1,
  txPowerQdb: 34, // 34–39: target TX power in quarter-dB
  crystal: 48, // 0 = 40 MHz, 1 = 26 MHz, 2 = 24 MHz
  vdd33Const: 107,
  calUseFlash: 114, // 0/2 = use RF_CAL from flash, 1 = TX-power cal only, 3 = full cal
} as const;

/** Builds the defaults from the notes' field table (SDK v08 layout); the rest stays 0. */
export function defaultRfInitData(): Uint8Array {
  const d = new Uint8Array(RF_INIT_LENGTH);
  d[RF.magic] = RF_MAGIC;
  d[RF.version] = 0x08;
  [78, 74, 70, 64, 60, 56].forEach((q, i) => (d[RF.txPowerQdb + i] = q));
  d[RF.crystal] = 1;
  d[RF.vdd33Const] = 0; // "other values mean 3.3 V": no VDD measurement
  d[RF.calUseFlash] = 1;
  return d;
}

export type RfInitState = 'valid' | 'blank' | 'corrupt';

export interface RfInitJudgement {
  state: RfInitState;
  /** byte 0 as read (0x05 when valid). */
  magic: number;
  crystalMHz: number | null;
  calMode: number | null;
  explanation: string;
}

const CRYSTAL: Record<number, number> = { 0: 40, 1: 26, 2: 24 };

/** Judges the first 128 bytes of the init-data sector. */
export function judgeRfInit(data: Uint8Array): RfInitJudgement {
  const bytes = data.subarray(0, RF_INIT_LENGTH);
  const magic = bytes[0] ?? 0xff;
  const hex = `0x${magic.toString(16).padStart(2, '0').toUpperCase()}`;
  if (bytes.every((b) => b === 0xff)) {
    return {
      state: 'blank',
      magic,
      crystalMHz: null,
      calMode: null,
      explanation:
        'RF init data is blank (erased). SDK-based firmware prints "rf_cal[0] !=0x05,is 0xFF" and reboots; ' +
        'run `flashback repair` or write esp_init_data_default.bin at flash size − 0x4000 (Arduino-core sketches supply their own table and use this sector for RF calibration).',
    };
  }
  if (magic !== RF_MAGIC) {
    return {
      state: 'corrupt',
      magic,
      crystalMHz: null,
      calMode: null,
      explanation:
        `RF init data is corrupt: byte 0 is ${hex}, not 0x05, so the SDK rejects it ("rf_cal[0] !=0x05,is ${hex}") ` +
        'and the radio never calibrates — WiFi and MQTT fail while the sketch itself is fine. ' +
        "Run `flashback repair` (writes Espressif's esp_init_data_default here), restore a healthy board's backup, or write esp_init_data_default.bin at flash size − 0x4000.",
    };
  }
  const crystal = bytes[RF.crystal] ?? 0xff;
  const crystalMHz = CRYSTAL[crystal] ?? null;
  return {
    state: 'valid',
    magic,
    crystalMHz,
    calMode: bytes[RF.calUseFlash] ?? null,
    explanation:
      crystalMHz === null
        ? `RF init data starts with 0x05 but byte 48 (crystal) is ${crystal}: check it matches the board's crystal.`
        : `RF init data is valid (byte 0 = 0x05, crystal ${crystalMHz} MHz).`,
  };
}
