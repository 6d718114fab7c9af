/** main/flash: operations on boards and images (the contract in types.ts). */
export { backupBoard, backupWithSession, type BackupParams } from './backup.js';
export { identifyPort, withBoard } from './board-session.js';
export { quickCompare, isPortSpec } from './compare.js';
export { detectBoard } from './detect.js';
export { eraseBoard, type EraseParams, type ErasePlan, type EraseResult } from './erase.js';
export { listJournals, loadJournal, type RestoreJournal } from './journal.js';
export { loadImage } from './library-store.js';
export { executeRestore, planRestore, restoreBoard, type RestoreParams } from './restore.js';
export { verifyBoard } from './verify.js';
export { romWriteLoss, writeRegion } from './write.js';
export type * from './types.js';
