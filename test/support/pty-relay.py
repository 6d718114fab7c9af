"""Holds a pty for a test and plays the far end of its wire (a virtual board).

Usage: pty-relay.py LINK  -- creates a pty, symlinks its slave at LINK, then relays:
  stdout: b'B' + u32be baud  whenever the rate set on the slave (by whoever opened it) changes,
          b'D' + u16be length + bytes  for what was written to the slave;
  stdin:  raw bytes to deliver to the slave's reader (what the board sends).
SIGUSR1 stops reading the slave's output (its writer then finds the tty full), SIGUSR2 reads it again.
The rate is read from the slave's termios before each chunk is passed on, so bytes written after a
baud change are always reported after that change. Exits when stdin closes.
"""
import os
import select
import signal
import struct
import sys
import termios
import tty

master, slave = os.openpty()
tty.setraw(slave)
os.symlink(os.ttyname(slave), sys.argv[1])
speeds = {getattr(termios, n): int(n[1:]) for n in dir(termios) if n[0] == 'B' and n[1:].isdigit()}
out = sys.stdout.buffer
last = None
holding = False


def hold(signum, _frame):
    global holding
    holding = signum == signal.SIGUSR1


signal.signal(signal.SIGUSR1, hold)
signal.signal(signal.SIGUSR2, hold)


def report_baud():
    global last
    baud = speeds.get(termios.tcgetattr(slave)[5], 0)
    if baud != last:
        last = baud
        out.write(b'B' + struct.pack('>I', baud))


report_baud()
out.flush()
stdin = sys.stdin.buffer.raw
while True:
    # A signal does not end select() (PEP 475): the timeout makes a new hold state count soon.
    ready, _, _ = select.select([stdin] if holding else [master, stdin], [], [], 0.05)
    if master in ready:
        data = os.read(master, 4096)
        report_baud()
        out.write(b'D' + struct.pack('>H', len(data)) + data)
        out.flush()
    if stdin in ready:
        data = os.read(stdin.fileno(), 4096)
        if not data:
            break
        os.write(master, data)
