/**
 * Every test process is a composition root like the CLI and the workbench: virtual: ports are served
 * by main/sim's boards (main/transport/virtual-ports.ts).
 */
import { registerVirtualBoards } from '../../main/sim/virtual-link.js';

registerVirtualBoards();
