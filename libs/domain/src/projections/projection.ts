/**
 * Projection identity. Each projection has a name and a code version; bump `codeVersion` whenever
 * its fold or row format changes: stored checkpoints with another version mark the rows stale and
 * the event store rebuilds them from the log. Names and versions are written to disk.
 */
export interface ProjectionInfo {
  readonly name: string;
  readonly codeVersion: number;
}

export const USER_SUMMARY: ProjectionInfo = { name: 'user-summary', codeVersion: 1 };
export const DAILY_TOTALS: ProjectionInfo = { name: 'daily-totals', codeVersion: 1 };
export const TEAM_SUMMARY: ProjectionInfo = { name: 'team-summary', codeVersion: 1 };

export const PROJECTIONS: readonly ProjectionInfo[] = [USER_SUMMARY, DAILY_TOTALS, TEAM_SUMMARY];

/** Amounts have at most 3 decimals (validation.ts), so sums in milli-units are exact integers. */
export function toMilli(amount: number): number {
  return Math.round(amount * 1000);
}

export function fromMilli(milli: number): number {
  return milli / 1000;
}
