/** The virtual ESP8266: what the rest of Flashback uses (transport `virtual:`, `flashback sim`, tests). */
export { VirtualBoard, type VirtualBoardOptions, type BoardState } from './board.js';
export {
  openVirtualBoard,
  closeVirtualBoard,
  closeAllVirtualBoards,
  listVirtualBoards,
  factoryReset,
  DEMO_BOARDS,
  type SharedBoard,
  type OpenBoardOptions,
  type BoardMeta,
} from './registry.js';
export { parseFaults, type FaultOptions } from './faults.js';
export { startSimServer, type SimServer } from './tcp-server.js';
export type { BoardWire } from './wire.js';
export { openVirtualLink } from './virtual-link.js';
export { registerVirtualBoards, closeOpenVirtualBoards } from './ports.js';
export { virtualBoardNetwork } from './broker-route.js';
export * as timing from './timing.js';
