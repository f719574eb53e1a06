/**
 * Turns the growing decoded text of an answer into deltas for the UI, cutting
 * at the first stop string. Text that might be the start of a stop string, or
 * half a UTF-8 character (U+FFFD), is held back until the next token settles it.
 */
export class TextStream {
  private emitted = 0;
  stopped = false;

  constructor(private readonly stopStrings: readonly string[]) {}

  /** Given the whole decoded answer so far, returns the new text that is safe to show. */
  push(fullText: string): string {
    if (this.stopped) return '';
    let safeEnd = fullText.length;
    for (const stop of this.stopStrings) {
      const at = fullText.indexOf(stop);
      if (at >= 0 && at < safeEnd) {
        safeEnd = at;
        this.stopped = true;
      }
    }
    if (!this.stopped) safeEnd = Math.min(safeEnd, fullText.length - this.heldBack(fullText));
    return this.take(fullText, safeEnd);
  }

  /** At the end of generation everything not cut by a stop string is shown. */
  flush(fullText: string): string {
    return this.stopped ? '' : this.take(fullText, fullText.length);
  }

  private take(fullText: string, end: number): string {
    if (end <= this.emitted) return '';
    const delta = fullText.slice(this.emitted, end);
    this.emitted = end;
    return delta;
  }

  private heldBack(text: string): number {
    let hold = text.endsWith('\ufffd') ? 1 : 0;
    for (const stop of this.stopStrings) {
      for (let n = Math.min(stop.length - 1, text.length); n > hold; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          hold = n;
          break;
        }
      }
    }
    return hold;
  }
}
