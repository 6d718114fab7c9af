/** main/flash: operations on boards and images (the contract in types.ts). */
export { backupBoard, backupWithSession, type BackupParams } from './backup.js';
export { identifyPort, withBoard } from './board-session.js';
export { quickCompare, isPortSpec } from './compare.js';
export { detectBoard } from './detect.js';
export { eraseBoard } from './erase.js';
export { loadJournal } from './journal.js';
export { loadImage } from './library-store.js';
export { executeRestore, planRestore, restoreBoard, type RestoreParams } from './restore.js';
export { verifyBoard } from './verify.js';
export { writeRegion } from './write.js';
export type * from './types.js';
