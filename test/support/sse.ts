import { Agent, fetch, type Response } from 'undici';

/** One Server-Sent Events message as an EventSource would dispatch it. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** What the events route puts in `data`. */
export interface EventData {
  topic: string;
  sys: { id: string; createdAt: string };
  entity: { type: string; id: string };
  payload: { sys: { id: string; version?: number }; fields?: Record<string, Record<string, { url?: string }>> };
}

/**
 * A small SSE client over undici's fetch, parsing the stream as the HTML
 * standard's EventSource does (fields, comments, `retry`, CR/LF/CRLF line
 * ends), and keeping everything it received for the test to inspect.
 *
 * Each client has its own connection pool, closed with it: Node's built-in
 * fetch opens a spare connection when a streaming request is aborted, and a
 * connection that never sends a request holds a server's graceful shutdown
 * until its deadline.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retryMs: number | undefined;
  /** Set once the stream has ended (the server closed it, or it was cut). */
  ended = false;
  private readonly abort = new AbortController();
  private readonly agent: Agent;
  private pending = '';
  private fields: { id?: string; event?: string; data: string[] } = { data: [] };
  private readonly done: Promise<void>;

  private constructor(
    readonly response: Response,
    agent: Agent,
  ) {
    this.agent = agent;
    this.done = this.read();
  }

  /** Connects; a refusal (any status but 200) is thrown with its body, see {@link SseClient.refusal}. */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const agent = new Agent();
    const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal, dispatcher: agent });
    if (response.status !== 200) {
      const body = await response.text();
      await agent.destroy();
      throw new Error(`event stream refused: ${response.status} ${body}`);
    }
    const client = new SseClient(response, agent);
    client.abort.signal.addEventListener('abort', () => abort.abort());
    return client;
  }

  /** The status, headers and JSON body of a request the route refuses. */
  static async refusal(url: string, headers: Record<string, string> = {}) {
    const agent = new Agent();
    const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, dispatcher: agent });
    const text = await response.text();
    await agent.destroy();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
  }

  /** The messages' data, parsed. */
  data(): EventData[] {
    return this.messages.map((message) => JSON.parse(message.data) as EventData);
  }

  /** The id of the last message received (what an EventSource would send as Last-Event-ID). */
  get lastEventId(): string {
    const id = this.messages.at(-1)?.id;
    if (id === undefined) throw new Error('no message received yet');
    return id;
  }

  /** Waits until `check` holds for what was received (polled; throws after `timeoutMs`). */
  async until(check: (client: SseClient) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => [m.id, m.event]))}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Disconnects, as a closed browser tab does. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
    await this.agent.destroy();
  }

  private async read(): Promise<void> {
    const body = this.response.body;
    if (!body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) this.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // aborted by close(), or cut by the server: either way the stream is over
    } finally {
      this.ended = true;
    }
  }

  private feed(text: string): void {
    this.pending += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.pending);
      // A lone CR at the end may be the first half of a CRLF: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.pending.length - 1)) return;
      const line = this.pending.slice(0, match.index);
      this.pending = this.pending.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.fields.data.length > 0) {
        this.messages.push({ id: this.fields.id, event: this.fields.event ?? 'message', data: this.fields.data.join('\n') });
      }
      this.fields = { data: [] };
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      this.comments.push(line.slice(1).trimStart());
      return;
    }
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this.fields.data.push(value);
    else if (name === 'event') this.fields.event = value;
    else if (name === 'id' && !value.includes('\0')) this.fields.id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
