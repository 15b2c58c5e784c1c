/**
 * What an error from the etcd client means for a request, in the port's terms.
 *
 *   not-sent   the request certainly did not reach the log: no connection could be made, every
 *              member's circuit is open, or a member refused it before proposing (no leader, too
 *              many requests, proposal dropped). Safe to send again, to any member.
 *   unknown    it may have been applied: a timeout, a dropped connection, a leader change while
 *              it waited, a cancelled call. A commit must be reported as CommitOutcomeUnknown;
 *              a read may simply be repeated.
 *   limit      etcd refused it for a limit (operations per txn, request bytes); not applied.
 *   no-space   the cluster's storage quota is exhausted (NOSPACE alarm); not applied.
 *   compacted  a read or watch asked for a revision etcd has compacted away.
 *   closed     the client was closed.
 *   other      anything else: a bug or misconfiguration; passed up as it is.
 *
 * The client's error classes come from etcd3 (which maps gRPC status codes); the details are
 * matched on the messages etcd 3.4 and grpc-js send, collected in the tables below.
 */
import {
  ClientClosedError, GRPCCancelledError, GRPCDeadlineExceededError, GRPCInternalError, GRPCInvalidArgumentError,
  GRPCOutOfRangeError, GRPCResourceExhastedError, GRPCUnavailableError, GRPCUnknownError,
} from 'etcd3';

export type ErrorKind = 'not-sent' | 'unknown' | 'limit' | 'no-space' | 'compacted' | 'response-too-large' | 'closed' | 'other';

/** grpc-js: the call never got a connection (pick failed / connect refused / name not resolved). */
const NOT_CONNECTED = [
  'No connection established',
  'ECONNREFUSED',
  'failed to connect',
  'Failed to connect',
  'Name resolution failed',
  'getaddrinfo',
  'EHOSTUNREACH',
  'ENETUNREACH',
];

/** etcd: refused before the proposal entered the raft log. */
const REFUSED_BEFORE_PROPOSING = [
  'etcdserver: no leader',
  'etcdserver: too many requests',
  'etcdserver: not capable',
  'etcdserver: unhealthy cluster',
  'proposal dropped',
];

const LIMITS = ['etcdserver: too many operations in txn request', 'etcdserver: request is too large'];

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isBrokenCircuit(error: unknown): boolean {
  // cockatiel's BrokenCircuitError: every member's circuit breaker is open, so nothing was sent.
  return error instanceof Error && (error.name === 'BrokenCircuitError' || error.constructor.name === 'BrokenCircuitError');
}

export function classify(error: unknown): ErrorKind {
  const message = messageOf(error);
  if (error instanceof ClientClosedError) return 'closed';
  if (isBrokenCircuit(error)) return 'not-sent';
  if (LIMITS.some((text) => message.includes(text))) return 'limit';
  if (message.includes('database space exceeded')) return 'no-space';
  if (message.includes('required revision has been compacted')) return 'compacted';
  if (REFUSED_BEFORE_PROPOSING.some((text) => message.includes(text))) return 'not-sent';
  if (error instanceof GRPCResourceExhastedError && message.includes('larger than max')) return 'response-too-large';
  if (error instanceof GRPCUnavailableError) {
    return NOT_CONNECTED.some((text) => message.includes(text)) ? 'not-sent' : 'unknown';
  }
  if (
    error instanceof GRPCDeadlineExceededError || error instanceof GRPCCancelledError || error instanceof GRPCUnknownError ||
    error instanceof GRPCInternalError || error instanceof GRPCResourceExhastedError
  ) {
    return 'unknown';
  }
  if (error instanceof GRPCOutOfRangeError) return 'compacted';
  if (error instanceof GRPCInvalidArgumentError) return 'other';
  // etcd server errors without a gRPC class (EtcdError) that we do not know: treat as unknown,
  // never as "not applied".
  if (message.includes('etcdserver:')) return 'unknown';
  return 'other';
}

/** A short reason for messages: the gRPC details without the class name. */
export function reasonOf(error: unknown): string {
  return messageOf(error).replace(/^[A-Za-z]+Error:\s*/, '').split('\n')[0] ?? '';
}
