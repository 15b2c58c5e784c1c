/**
 * @progress/domain public API: the event-sourced progress model (pure), the storage port, the
 * event store over it, projections, reports and import/export codecs. Deep imports are not part
 * of the API; test helpers (MemoryKvStore, the KvStore contract suite) live under src/testing.
 */
export const DOMAIN_PACKAGE = '@progress/domain';

// Identifiers, time values, errors
export * from './ids.js';
export * from './time.js';
export { BugError, assertNever } from './assert.js';
export { canonicalJson } from './json.js';

// Model
export type { DomainEvent, EventType, EventOf, EventBody, EntryChanges, GoalPeriod } from './events.js';
export { CURRENT_SCHEMA_VERSION, CurrentEventSchema } from './events.js';
export { encodeEvent, decodeEvent, decodeEventValue, EventDecodeError, UPCASTERS } from './event-codec.js';
export type * from './commands.js';
export { commandStream } from './commands.js';
export type { StreamRef } from './streams.js';
export { userStream, teamStream, streamName } from './streams.js';
export type { UserState, TeamState, StreamState, EntryState, GoalState, CommandRecord } from './state.js';
export { initialUserState, initialTeamState, activeEntries, UNDO_HISTORY_LIMIT } from './state.js';
export { evolve, evolveAll, Folder } from './evolve.js';
export type { TouchedDay } from './evolve.js';
export { decide } from './decide.js';
export type { Decision, DecideContext } from './decide.js';
export { REJECTION_CODES } from './rejections.js';
export type { Rejection, RejectionCode } from './rejections.js';
export { LIMITS } from './validation.js';

// Ports
export * from './ports/kv-store.js';
export type { Clock } from './ports/clock.js';
export { systemClock, fixedClock, steppingClock } from './ports/clock.js';
export type { IdGenerator } from './ports/ids.js';
export { randomIds, sequentialIds } from './ports/ids.js';

// Projections
export type { ProjectionInfo } from './projections/projection.js';
export { PROJECTIONS, USER_SUMMARY, DAILY_TOTALS, TEAM_SUMMARY } from './projections/projection.js';
export type { UserSummary, MetricSummary } from './projections/user-summary.js';
export { summarizeUser } from './projections/user-summary.js';
export type { TeamSummary } from './projections/team-summary.js';
export { summarizeTeam } from './projections/team-summary.js';
export type { DailyTotal } from './projections/daily-totals.js';
export { dailyTotalsOf } from './projections/daily-totals.js';
export type { Run } from './projections/streaks.js';
export { runsOf, longestRun, currentStreak } from './projections/streaks.js';

// Event store
export { EventStore } from './store/event-store.js';
export type { EventStoreOptions } from './store/event-store.js';
export { SNAPSHOT, DEFAULT_SNAPSHOT_INTERVAL } from './store/snapshot.js';
export { LsmKvStore } from './store/lsm-kv-store.js';
export type { LsmKvStoreOptions } from './store/lsm-kv-store.js';
export type { Cutoff, AppendOutcome, AppendRequest } from './store/event-store.js';
export type { StoredEvent, GlobalPosition } from './store/stored-event.js';
export { CommandHandler, commandFingerprint } from './store/command-handler.js';
export type { ExecuteResult, ExecuteOptions, CommandHandlerOptions, IdempotencyRecord } from './store/command-handler.js';
export { rebuildAll, rebuildStream, projectionSnapshot, ensureFreshProjections } from './store/rebuild.js';
export type { RebuildReport } from './store/rebuild.js';
export { importJsonl, importCsv } from './store/import.js';
export type { ImportReport, CsvImportOptions } from './store/import.js';
export { exportJsonl, exportCsv, jsonlLines } from './store/transfer.js';
export { AppendConflictError, StreamCorruptedError, FormatMismatchError, ImportRejectedError, EventStoreError } from './store/errors.js';
export type { ImportProblem, EventStoreErrorCode } from './store/errors.js';
export { FORMAT_VERSION } from './store/key-layout.js';

// Reports
export type { WeekStart } from './reports/calendar.js';
export { localDateOf, startOfLocalDate } from './reports/calendar.js';
export type { PeriodSpec, ReportSettings, ReportWindow } from './reports/period.js';
export { resolveWindow, previousWindow } from './reports/period.js';
export type { UserReport, MetricReport, GoalAttainment, Trend, ReportSubject } from './reports/user-report.js';
export { buildUserReport } from './reports/user-report.js';
export type { TeamReport, TeamMetricReport } from './reports/team-report.js';
export { buildTeamReport } from './reports/team-report.js';
export { userReport, teamReport } from './reports/report-service.js';
export type { ReportRequest } from './reports/report-service.js';
export { subjectFromState, subjectFromStore } from './reports/sources.js';

// Export codecs
export { renderMarkdownReport } from './export/markdown.js';
export { renderHtmlReport } from './export/html.js';
export { entriesToCsv, parseCsv, CSV_HEADER } from './export/csv.js';
export { parseJsonl, eventToJsonlLine } from './export/jsonl.js';
