/** main/esp: the ESP8266 bootloader protocol client. */
export { connect } from './loader.js';
export { hardReset, bootloaderReset, MANUAL_RESET_INSTRUCTIONS } from './reset.js';
export type * from './types.js';
