/**
 * @progress/lsm/level — the abstract-level adapter. Needs the optional peer dependency
 * `abstract-level` (3.x); the main entry point `@progress/lsm` does not.
 */
export { LsmLevel, LsmSnapshot, lsmManifest, type LsmLevelOptions, type LsmEngineOptions } from './abstract-level-adapter.js';
export { LevelError } from './errors.js';
