/** A progress bar on stderr: redrawn in place on a terminal, a line per 10 % when piped. */
import { formatBytes } from '../../shared/format.ts';

export { formatBytes };

const BAR_WIDTH = 30;
const REDRAW_INTERVAL_MS = 100;
const PIPED_STEP_PERCENT = 10;

export interface ProgressBar {
  update(done: number, total: number, detail?: string): void;
  finish(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastStep = -1;
  let drawn = false;
  return {
    update(done, total, detail = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = Math.floor(fraction * 100);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < REDRAW_INTERVAL_MS && fraction < 1) return;
        lastDraw = now;
        const filled = Math.round(fraction * BAR_WIDTH);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)} ${detail}\x1b[K`);
        drawn = true;
      } else {
        const step = Math.floor(percent / PIPED_STEP_PERCENT);
        if (step === lastStep) return;
        lastStep = step;
        stream.write(`${label} ${percent}% (${formatBytes(done)}/${formatBytes(total)}) ${detail}\n`);
      }
    },
    finish() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
