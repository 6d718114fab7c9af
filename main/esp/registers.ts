/** Register access and SPI flash commands through READ_REG/WRITE_REG (ROM and stub alike). */
import { FlashbackError } from '../errors.js';
import { Op, u32s } from './commands.js';
import type { Connection } from './connection.js';
import { SPI_CMD_BITS, SPI_REG, SPI_USER_BITS } from './chips/esp8266.js';

export async function readReg(conn: Connection, addr: number): Promise<number> {
  const r = await conn.command(Op.READ_REG, u32s(addr));
  return r.value >>> 0;
}

export async function writeReg(
  conn: Connection,
  addr: number,
  value: number,
  mask = 0xffffffff,
  delayUs = 0,
): Promise<void> {
  await conn.command(Op.WRITE_REG, u32s(addr, value, mask, delayUs));
}

async function waitCmdIdle(conn: Connection, what: string, polls = 50): Promise<void> {
  for (let i = 0; i < polls; i++) {
    if ((await readReg(conn, SPI_REG.CMD)) === 0) return;
  }
  throw new FlashbackError(
    'TIMEOUT',
    `The SPI flash controller stayed busy during ${what}`,
    'Reset the board and retry.',
  );
}

/**
 * Runs a flash command through the SPI "user command" registers and returns W0 (notes 2.5).
 * Only MISO reads (RDID) are needed here.
 */
export async function spiUserCommand(conn: Connection, cmd: number, misoBits: number): Promise<number> {
  const oldUser = await readReg(conn, SPI_REG.USER);
  const oldUser2 = await readReg(conn, SPI_REG.USER2);
  await writeReg(conn, SPI_REG.USER1, ((misoBits - 1) & 0x1ff) << 8);
  await writeReg(conn, SPI_REG.USER, SPI_USER_BITS.COMMAND | (misoBits > 0 ? SPI_USER_BITS.MISO : 0));
  await writeReg(conn, SPI_REG.USER2, (7 << 28) | cmd);
  await writeReg(conn, SPI_REG.W0, 0);
  await writeReg(conn, SPI_REG.CMD, SPI_CMD_BITS.USR);
  await waitCmdIdle(conn, `SPI command 0x${cmd.toString(16)}`, 10);
  const w0 = await readReg(conn, SPI_REG.W0);
  await writeReg(conn, SPI_REG.USER, oldUser);
  await writeReg(conn, SPI_REG.USER2, oldUser2);
  return w0 >>> 0;
}

/**
 * Erases one 4 KiB sector with the controller's native commands (write-enable, sector-erase, then poll
 * the status register's WIP bit). Lets a ROM-only client erase exactly the sectors it writes, since the
 * ROM's FLASH_BEGIN cannot erase an odd sector count inside one 64 KiB block (notes 1.7 "Way out";
 * derived, not verified on hardware).
 */
export async function eraseSectorNative(conn: Connection, offset: number): Promise<void> {
  await writeReg(conn, SPI_REG.CMD, SPI_CMD_BITS.WREN);
  await waitCmdIdle(conn, 'write-enable');
  await writeReg(conn, SPI_REG.ADDR, offset & 0xffffff);
  await writeReg(conn, SPI_REG.CMD, SPI_CMD_BITS.SE);
  await waitCmdIdle(conn, 'sector erase');
  // Sector erase takes 45–400 ms (notes 8.1): poll WIP for up to ~1 s of status reads.
  for (let i = 0; i < 400; i++) {
    await writeReg(conn, SPI_REG.CMD, SPI_CMD_BITS.RDSR);
    await waitCmdIdle(conn, 'read status');
    const status = await readReg(conn, SPI_REG.RD_STATUS);
    if ((status & 1) === 0) return;
  }
  throw new FlashbackError(
    'TIMEOUT',
    `Erasing sector 0x${offset.toString(16)} did not finish`,
    'Power-cycle the board and retry.',
  );
}
