/**
 * CommandHandler.execute(command): the write path the CLI calls.
 *
 *   1. idempotency: if `<stream>:idem:<key>` exists, answer from it (same fingerprint: duplicate;
 *      different command under the same key: IDEMPOTENCY_CONFLICT) — nothing is appended;
 *   2. load the stream state (rebuilding the stream's projections first if their checkpoint or
 *      code version is stale);
 *   3. decide with the injected clock and id generator (and user lookups for team commands);
 *   4. append with the expected version; on a version conflict go back to 1 and re-decide,
 *      at most `maxAttempts` times, then throw AppendConflictError (nothing applied).
 *
 * `registerFirst` (the CLI's auto-registration): when the command's stream is still empty, that
 * registration is decided first and its events go into the same append as the command's, so a
 * crash or a rejection leaves neither (regression: command-handler.register-first.test.ts).
 */
import { z } from 'zod';
import type { Command } from '../commands.js';
import { commandStream } from '../commands.js';
import { assert } from '../assert.js';
import { decide } from '../decide.js';
import { evolveAll } from '../evolve.js';
import type { DomainEvent } from '../events.js';
import { fnv1a64Hex } from '../hash.js';
import type { UserId } from '../ids.js';
import { canonicalJson, encodeJson, parseJsonBytes } from '../json.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Revision } from '../ports/kv-store.js';
import { reject } from '../rejections.js';
import type { Rejection } from '../rejections.js';
import { streamName } from '../streams.js';
import type { StreamRef } from '../streams.js';
import { AppendConflictError, StreamCorruptedError } from './errors.js';
import type { EventStore } from './event-store.js';
import { ensureFreshProjections } from './rebuild.js';
import type { StoredEvent } from './stored-event.js';

export interface IdempotencyRecord {
  readonly commandId: string;
  readonly fingerprint: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly eventIds: readonly string[];
}

const IdempotencyRecordSchema = z.object({
  commandId: z.string(),
  fingerprint: z.string(),
  fromVersion: z.number().int(),
  toVersion: z.number().int(),
  eventIds: z.array(z.string()),
});

export type ExecuteResult =
  | {
      readonly status: 'accepted';
      readonly stream: StreamRef;
      readonly events: readonly StoredEvent[];
      readonly revision: Revision;
      readonly attempts: number;
      /** The `registerFirst` events appended in the same commit, when it applied. */
      readonly registration?: readonly StoredEvent[];
    }
  | { readonly status: 'duplicate'; readonly stream: StreamRef; readonly original: IdempotencyRecord }
  | { readonly status: 'rejected'; readonly stream: StreamRef; readonly rejection: Rejection };

export interface ExecuteOptions {
  /** A command on the same stream applied first, in the same commit, if the stream is empty. */
  readonly registerFirst?: Command;
}

export interface CommandHandlerOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Decide/append rounds before giving up on a busy stream. Default 5. */
  readonly maxAttempts?: number;
  /**
   * Pause before re-deciding after attempt n lost a race (ms). Default: random in [0, 2^n), so
   * writers that collided do not collide again in lockstep; 0 in tests that count attempts.
   */
  readonly retryDelayMs?: (attempt: number) => number;
}

const jitteredBackoff = (attempt: number): number => Math.random() * 2 ** attempt;

/** Identifies a command's content independent of its commandId and idempotency key. */
export function commandFingerprint(command: Command): string {
  const { commandId: _commandId, idempotencyKey: _key, ...content } = command;
  return fnv1a64Hex(canonicalJson(content, { nonFiniteAsString: true }));
}

export class CommandHandler {
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(
    readonly store: EventStore,
    private readonly options: CommandHandlerOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? jitteredBackoff;
  }

  async execute(command: Command, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const stream = commandStream(command);
    const prelude = options.registerFirst;
    assert(prelude === undefined || streamName(commandStream(prelude)) === streamName(stream), `registerFirst must be on ${streamName(stream)}`);
    const key = command.idempotencyKey ?? command.commandId;
    const fingerprint = commandFingerprint(command);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const remembered = await this.remembered(stream, key, fingerprint, command);
      if (remembered !== null) return remembered;
      const before = await ensureFreshProjections(this.store, stream);
      const context = await this.contextFor(command);
      const now = this.options.clock.now();
      let state = before;
      const first: DomainEvent[] = [];
      if (prelude !== undefined && before.version === 0) {
        const registered = decide(before, prelude, now, this.options.ids, {});
        if (!registered.ok) return { status: 'rejected', stream, rejection: registered.rejection };
        first.push(...registered.events);
        state = evolveAll(before, registered.events);
      }
      const decision = decide(state, command, now, this.options.ids, context);
      if (!decision.ok) return { status: 'rejected', stream, rejection: decision.rejection };
      const record = idempotencyRecord(command, fingerprint, state.version, decision.events);
      const events = [...first, ...decision.events];
      const outcome = await this.store.append({ before, events, idempotency: { key, record: encodeJson(record) } });
      if (outcome.ok) {
        const stored = outcome.stored.slice(first.length);
        const registration = outcome.stored.slice(0, first.length);
        return { status: 'accepted', stream, events: stored, revision: outcome.revision, attempts: attempt, ...(first.length > 0 ? { registration } : {}) };
      }
      const pause = attempt < this.maxAttempts ? this.retryDelayMs(attempt) : 0;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
    throw new AppendConflictError(streamName(stream), this.maxAttempts);
  }

  private async remembered(stream: StreamRef, key: string, fingerprint: string, command: Command): Promise<ExecuteResult | null> {
    const bytes = await this.store.readIdempotencyRecord(stream, key);
    if (bytes === undefined) return null;
    const parsed = parseJsonBytes(bytes);
    const record = parsed.ok ? IdempotencyRecordSchema.safeParse(parsed.value) : undefined;
    if (record === undefined || !record.success) {
      throw new StreamCorruptedError(`idempotency record ${key} of ${streamName(stream)} is unreadable`, key);
    }
    if (record.data.fingerprint !== fingerprint) {
      return {
        status: 'rejected',
        stream,
        rejection: reject(
          'IDEMPOTENCY_CONFLICT',
          `idempotency key ${key} was already used by command ${record.data.commandId} with different content (${command.kind})`,
        ),
      };
    }
    return { status: 'duplicate', stream, original: record.data };
  }

  private async contextFor(command: Command): Promise<{ isRegisteredUser?: (userId: UserId) => boolean }> {
    if (command.kind !== 'AddMember') return {};
    const exists = await this.store.streamExists({ kind: 'user', id: command.userId });
    return { isRegisteredUser: (userId) => userId === command.userId && exists };
  }
}

function idempotencyRecord(command: Command, fingerprint: string, fromVersion: number, events: readonly DomainEvent[]): IdempotencyRecord {
  return {
    commandId: command.commandId,
    fingerprint,
    fromVersion: fromVersion + 1,
    toVersion: fromVersion + events.length,
    eventIds: events.map((event) => event.eventId),
  };
}
