/**
 * team-summary: the row at `team:<id>` — name, zone, members, and the team stream version it
 * reflects. Team progress rollups are computed at read time from the members' daily-totals rows
 * (reports/team-report.ts), because a rollup row written by every member's append would make
 * appends of different users contend on one key (ARCHITECTURE rule 1 and 7).
 */
import { encodeJson } from '../json.js';
import type { TeamState } from '../state.js';
import { TEAM_SUMMARY } from './projection.js';

export interface TeamSummary {
  readonly projection: string;
  readonly codeVersion: number;
  readonly streamVersion: number;
  readonly teamId: string;
  readonly exists: boolean;
  readonly name: string;
  readonly timeZone: string;
  readonly members: readonly { readonly userId: string; readonly addedAt: string }[];
}

export function summarizeTeam(state: TeamState): TeamSummary {
  return {
    projection: TEAM_SUMMARY.name,
    codeVersion: TEAM_SUMMARY.codeVersion,
    streamVersion: state.version,
    teamId: state.teamId,
    exists: state.exists,
    name: state.name,
    timeZone: state.timeZone,
    members: [...state.members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([userId, addedAt]) => ({ userId, addedAt })),
  };
}

export function encodeTeamSummary(summary: TeamSummary): Uint8Array {
  return encodeJson(summary);
}
