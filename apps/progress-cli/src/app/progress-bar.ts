/**
 * A progress bar on stderr for work that takes longer than a second (import, export, rebuild,
 * compaction). Drawn only when stderr is a TTY, at most ten times a second, and erased when done,
 * so scripts and pipes never see it.
 */
import type { Context } from '../cli/context.js';

const WIDTH = 28;

export class ProgressBar {
  private readonly startedMs = Date.now();
  private lastDrawMs = 0;
  private drawn = false;
  private label: string;
  private done = 0;
  private total: number | undefined;

  constructor(
    private readonly ctx: Context,
    label: string,
    private readonly delayMs = 1000,
  ) {
    this.label = label;
  }

  phase(label: string, total?: number): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.draw(true);
  }

  tick(done: number, total?: number): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    this.draw(false);
  }

  private draw(force: boolean): void {
    if (!this.ctx.stderrIsTTY) return;
    const now = Date.now();
    if (now - this.startedMs < this.delayMs) return;
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    const seconds = ((now - this.startedMs) / 1000).toFixed(1);
    let gauge: string;
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(1, this.done / this.total);
      const filled = Math.round(fraction * WIDTH);
      gauge = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)} ${Math.round(fraction * 100)}% (${this.done}/${this.total})`;
    } else {
      const position = Math.floor(now / 120) % WIDTH;
      gauge = `${'░'.repeat(position)}█${'░'.repeat(WIDTH - position - 1)}${this.done > 0 ? ` ${this.done}` : ''}`;
    }
    this.ctx.io.stderr(`\r\u001b[2K${this.label} ${gauge} ${seconds}s`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.ctx.io.stderr('\r\u001b[2K');
    this.drawn = false;
  }
}
