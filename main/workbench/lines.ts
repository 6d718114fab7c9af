/** Splits a serial byte stream into text lines (CR, LF or CRLF), keeping the partial tail for later. */
export class LineSplitter {
  private tail = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    private readonly onLine: (line: string) => void,
    /** A line longer than this is emitted anyway (binary noise at the wrong baud has no newlines). */
    private readonly maxLine = 512,
  ) {}

  push(chunk: Uint8Array): void {
    this.tail += this.decoder.decode(chunk, { stream: true });
    const parts = this.tail.split(/\r\n|\r|\n/);
    this.tail = parts.pop() ?? '';
    for (const p of parts) if (p.length > 0) this.onLine(p);
    while (this.tail.length > this.maxLine) {
      this.onLine(this.tail.slice(0, this.maxLine));
      this.tail = this.tail.slice(this.maxLine);
    }
  }

  flush(): void {
    if (this.tail) this.onLine(this.tail);
    this.tail = '';
  }
}
