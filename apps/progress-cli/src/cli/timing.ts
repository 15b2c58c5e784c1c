/**
 * Start-up timing marks: `PROGRESS_TIMING=1 progress status` prints where the time went (cpu and
 * wall per step, to stderr). bin/progress.js installs the recorder; without it a mark is a no-op.
 */
type Recorder = (label: string) => void;

export function mark(label: string): void {
  (globalThis as { __progressMark?: Recorder }).__progressMark?.(label);
}
