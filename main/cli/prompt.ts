/**
 * Prints a UserPrompt on stderr for the CLI: what to press, in order, and how long Flashback listens,
 * then a countdown (redrawn in place on a terminal, every 5 s otherwise) until the board answers.
 */
import type { UserPrompt } from '../progress.js';

export function promptPrinter(stream: NodeJS.WriteStream = process.stderr): (p: UserPrompt | null) => void {
  let timer: NodeJS.Timeout | null = null;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  return (p) => {
    stop();
    if (!p) {
      if (stream.isTTY) stream.write('\r\x1b[K');
      return;
    }
    const secs = () => Math.max(0, Math.ceil((p.until - Date.now()) / 1000));
    stream.write(`\n${p.title} (Flashback listens for ${secs()} s):\n`);
    p.steps.forEach((s, i) => stream.write(`  ${i + 1}. ${s}\n`));
    let last = secs();
    timer = setInterval(
      () => {
        const left = secs();
        if (stream.isTTY) stream.write(`\r\x1b[KWaiting for the bootloader… ${left} s left`);
        else if (left !== last && left % 5 === 0)
          stream.write(`Waiting for the bootloader… ${left} s left\n`);
        last = left;
        if (left === 0) stop();
      },
      stream.isTTY ? 1000 : 250,
    );
    timer.unref();
  };
}
