#!/bin/sh
# Flashback talks to USB serial adapters (CH340, CP210x, FTDI); on Debian/Ubuntu that needs the dialout group.
echo "Flashback: to use USB serial ports, add your user to the dialout group: sudo usermod -aG dialout \$USER (then log out and in)."
