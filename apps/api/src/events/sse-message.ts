import type { StoredEvent } from '@hangar/events';

/** How long a browser's EventSource waits before reconnecting (the stream's `retry:` field). */
export const RECONNECT_MS = 2000;

/**
 * One domain event as one Server-Sent Events message: its id (what `Last-Event-ID` names on reconnect), its full
 * topic as the event type (`addEventListener('Hangar.Asset.processed', …)`) and a JSON data line. JSON text has no
 * raw line breaks and ids and topics have none, so every field is one line.
 */
export function sseMessage(event: StoredEvent): string {
  const data = {
    topic: event.topic,
    sys: { id: event.id.toString(), createdAt: event.createdAt.toISOString() },
    entity: { type: event.entityType, id: event.entityId },
    payload: event.payload,
  };
  return `id: ${event.id.toString()}\nevent: ${event.topic}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line (EventSource ignores it; it keeps proxies from closing an idle stream). */
export const sseComment = (text: string): string => `: ${text}\n\n`;
