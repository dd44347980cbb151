import { HangarError, ValidationFailedError } from '@hangar/domain';

/** Bytes of a base64 JSON body that are not `data`'s base64: keys, `name`, `type`, a `data:` URI's header, whitespace. */
export const BASE64_JSON_SLACK_BYTES = 64 * 1024;

/** The largest base64 JSON body that can hold `maxBytes` of file: base64 takes 4 characters for every 3 bytes. */
export function base64JsonBodyLimit(maxBytes: number): number {
  return Math.ceil(maxBytes / 3) * 4 + BASE64_JSON_SLACK_BYTES;
}

/** The longest key, and the most bytes all values besides `data` may take together (they are parsed whole). */
const MAX_KEY_BYTES = 256;
const MAX_OTHER_VALUE_BYTES = 32 * 1024;
const MAX_DATA_URI_HEADER_BYTES = 1024;
/** `data`'s first characters are held back until they tell a data: URI (`data:`) from plain base64. */
const HELD_BACK_BYTES = 'data:'.length;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const EQUALS = 0x3d;

const isJsonSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/** Base64 characters, standard and URL-safe alphabets (Node decodes both); everything else is refused, not skipped. */
const BASE64_CHAR = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') BASE64_CHAR[char.charCodeAt(0)] = 1;

/** What a body of the base64 JSON door said, besides its bytes. */
export interface Base64JsonFields {
  /** `name`, `type`: strings when present (checked as upload descriptions by the caller). */
  readonly name: string | undefined;
  readonly type: string | undefined;
  /** `folder`: a string when present (the Comapi content service's virtual folder; the Upload API ignores it). */
  readonly folder: string | undefined;
  /** The media type of a `data:` URI in `data` (`data:image/png;base64,…` → `image/png`), if it had one. */
  readonly dataUriType: string | undefined;
}

function malformedJson(reason: string): HangarError {
  return new HangarError('BadRequest', `The request body is not a valid JSON object: ${reason}.`);
}

function invalidData(reason: string): HangarError {
  return new HangarError('BadRequest', `The field data must be base64 (or a base64 data: URI): ${reason}.`, { path: ['data'] });
}

type State = 'start' | 'keyOrEnd' | 'key' | 'nextKey' | 'colon' | 'value' | 'other' | 'data' | 'afterValue' | 'done';

/**
 * A streaming reader for the base64 JSON door's body, `{"name": "…",
 * "type": "…", "data": "<base64>"}` (the Comapi content service's contract),
 * in any key order, with any other keys ignored. It never holds the body:
 * `data` is validated and decoded as it passes (a few bytes carried between
 * chunks), and the other values are small and parsed whole, within
 * {@link MAX_OTHER_VALUE_BYTES}. Simpler than a general streaming JSON
 * parser because the shape is fixed: one object, one long string.
 *
 * `data` may be a `data:` URI (`data:image/png;base64,…`), may contain
 * JSON-escaped line breaks (`\n`, as MIME encoders wrap) and escaped
 * slashes (`\/`, as some JSON encoders write), and may omit its padding.
 */
export class Base64JsonScanner {
  private state: State = 'start';
  /** Bytes of the key or value being collected. */
  private collected: number[] = [];
  private otherValueBytes = 0;
  /** Inside a collected value: string, escape and nesting, to know where it ends. */
  private inString = false;
  private escaped = false;
  private depth = 0;
  private key = '';
  private readonly seen = new Set<string>();
  private readonly values = new Map<string, unknown>();

  // `data`: where it stands. `head` until its first characters tell a data: URI from plain base64.
  private dataMode: 'head' | 'uriHeader' | 'base64' = 'head';
  private dataHead: number[] = [];
  /** A JSON escape inside `data`: its characters so far (`\`, `\u00`…), empty when none. */
  private dataEscape = '';
  private dataUriType: string | undefined;
  /** Base64 characters not yet decoded (fewer than 4 carried between chunks). */
  private pending: Buffer = Buffer.alloc(0);
  private dataChars = 0;
  private padding = 0;
  private sawData = false;

  /** Reads one chunk; returns the bytes of `data` it completed. Throws a 400 at the first byte that cannot be. */
  feed(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let index = 0;
    while (index < chunk.length) {
      if (this.state === 'data') {
        index = this.feedData(chunk, index, out);
        continue;
      }
      this.step(chunk[index] as number);
      index += 1;
    }
    return out;
  }

  /** The body has ended: it must have been one whole object with a `data` string. */
  end(): Base64JsonFields {
    if (this.state !== 'done') throw malformedJson('it ends before its closing brace');
    if (!this.sawData) throw new HangarError('BadRequest', 'The body needs a data field with the file as base64.', { path: ['data'] });
    return {
      name: this.stringValue('name'),
      type: this.stringValue('type'),
      folder: this.stringValue('folder'),
      dataUriType: this.dataUriType,
    };
  }

  private stringValue(key: 'name' | 'type' | 'folder'): string | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ValidationFailedError([{ name: 'type', path: [key], details: 'must be a string' }]);
    return value;
  }

  private step(byte: number): void {
    switch (this.state) {
      case 'start':
        if (byte === OPEN_BRACE) this.state = 'keyOrEnd';
        else if (!isJsonSpace(byte)) throw malformedJson('it must be an object');
        return;
      case 'keyOrEnd':
      case 'nextKey':
        if (byte === QUOTE) this.beginCollecting('key');
        else if (byte === CLOSE_BRACE && this.state === 'keyOrEnd') this.state = 'done';
        else if (!isJsonSpace(byte)) throw malformedJson('a key was expected');
        return;
      case 'key':
        this.collectKey(byte);
        return;
      case 'colon':
        if (byte === COLON) this.state = 'value';
        else if (!isJsonSpace(byte)) throw malformedJson('a colon was expected');
        return;
      case 'value':
        if (isJsonSpace(byte)) return;
        if (this.key === 'data') {
          if (byte !== QUOTE) throw new ValidationFailedError([{ name: 'type', path: ['data'], details: 'must be a string' }]);
          this.sawData = true;
          this.state = 'data';
          return;
        }
        this.beginCollecting('other');
        this.collectOther(byte);
        return;
      case 'other':
        this.collectOther(byte);
        return;
      case 'afterValue':
        this.afterValue(byte);
        return;
      case 'done':
        if (!isJsonSpace(byte)) throw malformedJson('there is more after the object');
        return;
      case 'data':
        return; // read by feedData
    }
  }

  private beginCollecting(state: 'key' | 'other'): void {
    this.state = state;
    this.collected = [];
    this.inString = false;
    this.escaped = false;
    this.depth = 0;
  }

  private collectKey(byte: number): void {
    if (this.collected.length >= MAX_KEY_BYTES) throw malformedJson(`a key is longer than ${MAX_KEY_BYTES} bytes`);
    if (this.escaped) this.escaped = false;
    else if (byte === BACKSLASH) this.escaped = true;
    else if (byte === QUOTE) {
      this.key = this.parse(`"${Buffer.from(this.collected).toString('utf8')}"`) as string;
      if (this.seen.has(this.key)) throw new HangarError('BadRequest', `The key ${this.key} appears twice.`, { path: [this.key] });
      this.seen.add(this.key);
      this.state = 'colon';
      return;
    }
    this.collected.push(byte);
  }

  /** Any JSON value but `data`'s: collected to the comma or brace that ends it, then parsed whole. */
  private collectOther(byte: number): void {
    if (!this.inString && this.depth === 0 && (byte === COMMA || byte === CLOSE_BRACE)) {
      this.values.set(this.key, this.parse(Buffer.from(this.collected).toString('utf8')));
      this.state = 'afterValue';
      this.afterValue(byte);
      return;
    }
    this.otherValueBytes += 1;
    if (this.otherValueBytes > MAX_OTHER_VALUE_BYTES) {
      throw new HangarError('BadRequest', `The fields besides data may hold at most ${MAX_OTHER_VALUE_BYTES} bytes in all.`);
    }
    this.collected.push(byte);
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE) this.inString = false;
    } else if (byte === QUOTE) this.inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth += 1;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) this.depth -= 1;
  }

  private afterValue(byte: number): void {
    if (byte === COMMA) this.state = 'nextKey';
    else if (byte === CLOSE_BRACE) this.state = 'done';
    else if (!isJsonSpace(byte)) throw malformedJson('a comma or closing brace was expected');
  }

  private parse(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw malformedJson((error as Error).message);
    }
  }

  /** Reads `data`'s characters from `start` to its closing quote or the chunk's end; returns where it stopped. */
  private feedData(chunk: Buffer, start: number, out: Buffer[]): number {
    // Base64 characters are copied here as they are checked; at most the chunk's length.
    // (plus the few characters of a beginning held back in an earlier chunk: see dataChar)
    const base64 = Buffer.allocUnsafe(this.pending.length + chunk.length - start + HELD_BACK_BYTES);
    this.pending.copy(base64);
    let length = this.pending.length;
    let index = start;
    const stops = new RunStops(chunk);
    for (; index < chunk.length; index += 1) {
      if (this.dataMode === 'base64' && this.padding === 0 && this.dataEscape === '') {
        // The bulk of the body: a run up to the next quote, escape, padding or space, copied at once and
        // checked as it is decoded (decodeWhole). Looping over each byte in JavaScript would cost several times more.
        const end = stops.next(index);
        if (end > index) {
          chunk.copy(base64, length, index, end);
          length += end - index;
          this.dataChars += end - index;
          index = end - 1;
          continue;
        }
      }
      const byte = chunk[index] as number;
      let char: number;
      if (this.dataEscape !== '') {
        const escapedChar = this.continueEscape(byte);
        if (escapedChar === undefined) continue;
        char = escapedChar;
      } else if (byte === QUOTE) {
        index += 1;
        this.finishData(base64.subarray(0, length), out);
        this.state = 'afterValue';
        return index;
      } else if (byte === BACKSLASH) {
        this.dataEscape = '\\';
        continue;
      } else if (byte < 0x20) {
        throw malformedJson('a string holds a raw control character');
      } else char = byte;
      if (this.dataMode === 'base64' && BASE64_CHAR[char] === 1 && this.padding === 0) {
        base64[length] = char;
        length += 1;
        this.dataChars += 1;
      } else length = this.dataChar(char, base64, length);
    }
    this.pending = this.decodeWhole(base64.subarray(0, length), out);
    return index;
  }

  /** One character of `data` off the fast path: the start (data: URI or not), padding, line breaks, or a refusal. */
  private dataChar(char: number, base64: Buffer, length: number): number {
    if (this.dataMode === 'head') {
      this.dataHead.push(char);
      const head = Buffer.from(this.dataHead).toString('latin1').toLowerCase();
      if ('data:'.startsWith(head)) {
        if (head === 'data:') this.dataMode = 'uriHeader';
        this.dataHead = head === 'data:' ? [] : this.dataHead;
        return length;
      }
      // Plain base64: what was held back is its beginning.
      this.dataMode = 'base64';
      const held = this.dataHead;
      this.dataHead = [];
      for (const heldChar of held) length = this.dataChar(heldChar, base64, length);
      return length;
    }
    if (this.dataMode === 'uriHeader') {
      if (char !== COMMA) {
        if (this.dataHead.length >= MAX_DATA_URI_HEADER_BYTES) throw invalidData('the data: URI header is too long');
        this.dataHead.push(char);
        return length;
      }
      this.dataUriType = dataUriMediaType(Buffer.from(this.dataHead).toString('latin1'));
      this.dataHead = [];
      this.dataMode = 'base64';
      return length;
    }
    if (BASE64_CHAR[char] === 1 && this.padding === 0) {
      base64[length] = char;
      this.dataChars += 1;
      return length + 1;
    }
    if (char === 0x20) return length; // a space, or a line break (escaped as \n: see continueEscape)
    if (char === EQUALS && this.dataChars % 4 >= 2 && this.padding < 2) {
      this.padding += 1;
      return length;
    }
    if (this.padding > 0) throw invalidData('characters follow its padding');
    throw invalidData(`it holds ${char === EQUALS ? 'misplaced padding' : `the character ${JSON.stringify(String.fromCharCode(char))}`}`);
  }

  /** The next byte of a JSON escape in `data`; returns the character it stands for once complete, undefined meanwhile. */
  private continueEscape(byte: number): number | undefined {
    this.dataEscape += String.fromCharCode(byte);
    const escape = this.dataEscape;
    if (escape.length === 2) {
      if (escape.charAt(1) === 'u') return undefined;
      this.dataEscape = '';
      switch (escape.charAt(1)) {
        case 'n':
        case 'r':
        case 't':
          return 0x20; // a wrapped line: skipped as a space
        case '/':
          return 0x2f;
        case '"':
        case '\\':
        case 'b':
        case 'f':
          return byte; // valid JSON, never base64: refused as a character
        default:
          throw malformedJson(`a string holds the escape ${escape}`);
      }
    }
    if (escape.length < 6) return undefined;
    this.dataEscape = '';
    if (!/^\\u[0-9a-fA-F]{4}$/.test(escape)) throw malformedJson(`a string holds the escape ${escape}`);
    const code = Number.parseInt(escape.slice(2), 16);
    if (code >= 0x80) throw invalidData(`it holds the character U+${escape.slice(2).toUpperCase()}`);
    return code;
  }

  /** Decodes every whole group of 4 characters; returns the rest (0–3 characters) to carry. */
  private decodeWhole(base64: Buffer, out: Buffer[]): Buffer {
    const whole = base64.length - (base64.length % 4);
    if (whole > 0) out.push(decodeChecked(base64.subarray(0, whole)));
    return Buffer.from(base64.subarray(whole));
  }

  private finishData(base64: Buffer, out: Buffer[]): void {
    if (this.dataEscape !== '') throw malformedJson('a string ends inside an escape');
    if (this.dataMode === 'uriHeader') throw invalidData('the data: URI has no comma before its data');
    if (this.dataMode === 'head') {
      // Fewer than five characters, none of them a data: URI after all (or none at all).
      const held = this.dataHead;
      this.dataHead = [];
      this.dataMode = 'base64';
      const all = Buffer.concat([base64, Buffer.alloc(held.length)]);
      let length = base64.length;
      for (const char of held) length = this.dataChar(char, all, length);
      base64 = all.subarray(0, length);
    }
    if (this.dataChars % 4 === 1) throw invalidData('its length is not that of any base64 text');
    if (this.padding > 0 && (this.dataChars + this.padding) % 4 !== 0) throw invalidData('its padding does not match its length');
    const rest = this.decodeWhole(base64, out);
    if (rest.length > 0) out.push(decodeChecked(rest));
    this.pending = Buffer.alloc(0);
  }
}

/**
 * Decodes base64 characters without padding (a whole number of groups, or a
 * last group of 2 or 3). Node's decoder skips what is not base64 instead of
 * refusing it, so every character skipped shortens the result: a result of
 * the full length proves every character was base64, and only a shorter one
 * is searched for the culprit, to name it.
 */
function decodeChecked(base64: Buffer): Buffer {
  const decoded = Buffer.from(base64.toString('latin1'), 'base64');
  if (decoded.length === Math.floor((base64.length * 3) / 4)) return decoded;
  const culprit = base64.find((byte) => BASE64_CHAR[byte] !== 1) ?? EQUALS;
  if (culprit < 0x20) throw malformedJson('a string holds a raw control character');
  throw invalidData(
    culprit >= 0x80 ? 'it holds a non-ASCII character' : `it holds the character ${JSON.stringify(String.fromCharCode(culprit))}`,
  );
}

/**
 * Where the run of plain characters from a position ends in one chunk: at
 * the next quote, backslash, `=` or space. Each is searched natively and
 * remembered until passed, so a chunk is scanned once per kind of stop
 * however many runs it holds (wrapped base64 has one every 76 characters).
 */
class RunStops {
  private readonly found = new Map<number, number>();

  constructor(private readonly chunk: Buffer) {}

  next(from: number): number {
    let end = this.chunk.length;
    for (const stop of [QUOTE, BACKSLASH, EQUALS, 0x20]) {
      let at = this.found.get(stop);
      if (at === undefined || (at !== -1 && at < from)) {
        at = this.chunk.indexOf(stop, from);
        this.found.set(stop, at);
      }
      if (at !== -1 && at < end) end = at;
    }
    return end;
  }
}

/** `image/png;base64` → `image/png`; a data: URI that is not base64 (percent-encoded text) is refused. */
function dataUriMediaType(header: string): string | undefined {
  const parameters = header.split(';');
  const last = parameters.pop();
  if (last?.trim().toLowerCase() !== 'base64') throw invalidData('a data: URI must say ;base64 before its comma');
  const type = parameters.join(';').trim();
  return type === '' ? undefined : type;
}
