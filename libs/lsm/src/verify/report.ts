/** The report `db.verify()` and `verifyDirectory()` return (verify.ts describes what is checked). */

export interface VerifyProblem {
  /** a file name in the database directory ("000012.sst", "MANIFEST-000003", ...), or "memtable" */
  file: string;
  offset: number;
  reason: string;
}

export interface VerifyChecked {
  manifestEdits: number;
  tables: number;
  /** table blocks read and verified (data, index, filter, properties) */
  blocks: number;
  tableEntries: number;
  memtableEntries: number;
  /** value pointers resolved (tables and memtables) */
  pointers: number;
  /** pointers into removed vlog files from versions no reader can see (not problems) */
  stalePointers: number;
  vlogFiles: number;
  vlogEntries: number;
  walFiles: number;
  walBatches: number;
}

export interface VerifyReport {
  /** no problems (warnings do not count) */
  ok: boolean;
  problems: VerifyProblem[];
  /** conditions a crash leaves behind and recovery repairs (torn log tails); not corruption */
  warnings: VerifyProblem[];
  checked: VerifyChecked;
}
