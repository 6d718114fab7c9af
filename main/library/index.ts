/** The image library's public surface (DESIGN.md "Image library"). */
export { Library, MIN_PREFIX } from './library.js';
export { resolveImage, type ResolvedImage } from './resolve.js';
export { writeFileAtomic } from '../atomic-file.js';
export type { AddMeta, LibraryEntry, LibraryImage, LibraryItem, LibraryMeta } from './types.js';
