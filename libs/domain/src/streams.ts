/**
 * Streams: one per user (`user:<id>`, the consistency boundary) and one per team (`team:<id>`).
 * A team stream holds only team facts (creation, membership); progress lives in user streams.
 */
import type { TeamId, UserId } from './ids.js';

export type StreamRef = { readonly kind: 'user'; readonly id: UserId } | { readonly kind: 'team'; readonly id: TeamId };

export const userStream = (id: UserId): StreamRef => ({ kind: 'user', id });
export const teamStream = (id: TeamId): StreamRef => ({ kind: 'team', id });

/** `user:<id>` or `team:<id>`; the id never contains ':' so this is unambiguous. */
export function streamName(stream: StreamRef): string {
  return `${stream.kind}:${stream.id}`;
}

export function sameStream(a: StreamRef, b: StreamRef): boolean {
  return a.kind === b.kind && a.id === b.id;
}
