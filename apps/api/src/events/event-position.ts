import type { EventPosition, StoredEvent } from '@hangar/events';

/** Where `event` stands in the stream (resuming after it reads what follows). */
export const positionOf = (event: StoredEvent): EventPosition => ({ txid: event.txid, id: event.id });

/** Whether `a` comes after `b` in the reader's (transaction id, id) order; txids are xid8s as decimal text. */
export function isAfter(a: EventPosition, b: EventPosition): boolean {
  const at = BigInt(a.txid);
  const bt = BigInt(b.txid);
  return at === bt ? a.id > b.id : at > bt;
}
