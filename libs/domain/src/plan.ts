/** A planned event: the body decide() chose, plus envelope values that differ from the defaults. */
import type { EventBody } from './events.js';
import type { Rejection } from './rejections.js';
import type { Instant, TimeZone } from './time.js';

export interface Planned {
  readonly body: EventBody;
  /** Defaults to `now`. */
  readonly occurredAt?: Instant;
  /** Defaults to the stream's current zone. */
  readonly timeZone?: TimeZone;
}

export type PlanResult =
  | { readonly ok: true; readonly planned: readonly Planned[] }
  | { readonly ok: false; readonly rejection: Rejection };
