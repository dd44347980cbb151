import { type Api, type Asset, environmentPath, enc } from './api';

export type ProcessingState = { status: 'processing' } | { status: 'ready' } | { status: 'failed'; reason: string };

/** What an asset says of its processing in a locale: its url means ready; `sys.fileProcessing` says the rest. */
export function processingState(asset: Asset, locale: string): ProcessingState {
  const processing = asset.sys.fileProcessing?.[locale];
  if (processing?.status === 'failed') return { status: 'failed', reason: processing.reason ?? 'Processing failed.' };
  if (asset.fields.file?.[locale]?.url !== undefined) return { status: 'ready' };
  return { status: 'processing' };
}

const POLL_MS = 1500;

/**
 * Live processing status of the assets a page watches: pushed by the environment's event stream (an EventSource,
 * which takes the token as ?access_token= since it cannot set headers), and polled while the stream is not open —
 * before it first opens, while it reconnects, or where it cannot open at all.
 */
export class StatusFeed {
  private readonly watched = new Map<string, (asset: Asset) => void>();
  private readonly events: EventSource | undefined;
  private streamOpen = false;
  private pollTimer: number | undefined;
  private closed = false;

  constructor(
    private readonly api: Api,
    private readonly space: string,
    private readonly environment: string,
    /** Called for every processed or failed asset of the environment, watched or not (the grid refreshes). */
    private readonly onSettled: (asset: Asset) => void,
  ) {
    if (typeof EventSource === 'function') {
      this.events = new EventSource(`${environmentPath(space, environment)}/events?access_token=${enc(api.token)}`);
      this.events.addEventListener('open', () => (this.streamOpen = true));
      this.events.addEventListener('error', () => (this.streamOpen = false));
      for (const topic of ['Hangar.Asset.processed', 'Hangar.Asset.processing_failed'])
        this.events.addEventListener(topic, (message: MessageEvent<string>) => this.pushed(message.data));
    }
    this.schedulePoll();
  }

  /** Calls `onChange` with the asset whenever it may have changed, until `unwatch`. */
  watch(assetId: string, onChange: (asset: Asset) => void): void {
    this.watched.set(assetId, onChange);
  }

  unwatch(assetId: string): void {
    this.watched.delete(assetId);
  }

  close(): void {
    this.closed = true;
    this.events?.close();
    window.clearTimeout(this.pollTimer);
  }

  private pushed(data: string): void {
    const { payload } = JSON.parse(data) as { payload?: Asset };
    if (payload?.sys?.id === undefined) return;
    this.watched.get(payload.sys.id)?.(payload);
    this.onSettled(payload);
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.pollTimer = window.setTimeout(() => void this.poll().finally(() => this.schedulePoll()), POLL_MS);
  }

  private async poll(): Promise<void> {
    if (this.streamOpen || this.watched.size === 0) return;
    const ids = [...this.watched.keys()];
    try {
      const page = await this.api.request<{ items: Asset[] }>('GET', `${environmentPath(this.space, this.environment)}/assets`, {
        query: { 'sys.id[in]': ids.join(','), limit: String(ids.length) },
      });
      for (const asset of page.items) this.watched.get(asset.sys.id)?.(asset);
    } catch {
      // The api is away (restarting): the next poll, or the stream once it reopens, catches up.
    }
  }
}
