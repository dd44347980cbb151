import { HangarError } from '@hangar/domain';

/** Bytes of a form besides its streamed field: its keys, the other (small) values, separators. */
export const URLENCODED_SLACK_BYTES = 64 * 1024;

/** The largest urlencoded body that can carry `maxBytes` of file: every byte may be written as `%XX`. */
export function urlencodedBodyLimit(maxBytes: number): number {
  return maxBytes * 3 + URLENCODED_SLACK_BYTES;
}

const MAX_KEY_BYTES = 256;
const MAX_OTHER_VALUE_BYTES = 4 * 1024;
const MAX_FIELDS = 32;

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Percent-decoding as WHATWG's application/x-www-form-urlencoded parser does it: `+` is a space, a bad `%` stays. */
function decodeWhole(bytes: Buffer): string {
  const out: number[] = [];
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] as number;
    if (byte === PLUS) out.push(SPACE);
    else if (
      byte === PERCENT &&
      index + 2 < bytes.length &&
      hexValue(bytes[index + 1] ?? -1) >= 0 &&
      hexValue(bytes[index + 2] ?? -1) >= 0
    ) {
      out.push(hexValue(bytes[index + 1] as number) * 16 + hexValue(bytes[index + 2] as number));
      index += 2;
    } else out.push(byte);
  }
  return Buffer.from(out).toString('utf8');
}

function tooLong(what: string, max: number, key?: string): HangarError {
  return new HangarError('BadRequest', `The form's ${what} may be at most ${max} bytes.`, key === undefined ? {} : { path: [key] });
}

type State = 'key' | 'streamed' | 'other';

/**
 * A streaming reader for an `application/x-www-form-urlencoded` body whose
 * one large field (`body`, Akana's file content) is decoded as it arrives and
 * handed out in pieces, never held; the other fields are small (4 KiB each,
 * 32 at most) and read whole. Fields may come in any order: those after the
 * streamed one are known only at {@link end}. Decoding follows WHATWG (`+` a
 * space, `%XX` a byte, a `%` not followed by two hex digits kept as it is);
 * the streamed bytes are bytes, not text (a file may be binary).
 */
export class UrlencodedScanner {
  private state: State = 'key';
  private collected: number[] = [];
  private key = '';
  private readonly fields = new Map<string, string>();
  private count = 0;
  private sawStreamed = false;
  /** A `%` (and maybe one hex digit) that ended a chunk of the streamed value, waiting for the rest of it. */
  private pending: number[] = [];

  constructor(private readonly streamedKey: string) {}

  /** The decoded bytes of the streamed field this chunk carries (possibly none). */
  feed(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let index = 0;
    while (index < chunk.length) {
      if (this.state === 'streamed') {
        index = this.feedStreamed(chunk, index, out);
        continue;
      }
      const byte = chunk[index] as number;
      index += 1;
      if (this.state === 'key') this.stepKey(byte);
      else this.stepOther(byte);
    }
    return out;
  }

  /** The body has ended: the other fields, by decoded name (the last of a repeated one). */
  end(): { fields: ReadonlyMap<string, string>; sawStreamed: boolean; tail: Buffer } {
    let tail = Buffer.alloc(0);
    if (this.state === 'streamed')
      tail = Buffer.from(this.pending.map((byte) => byte)); // a `%` at the very end stays as it is
    else if (this.state === 'key') this.endKey(false);
    else this.endOther();
    this.pending = [];
    return { fields: this.fields, sawStreamed: this.sawStreamed, tail };
  }

  private stepKey(byte: number): void {
    if (byte === AMPERSAND) return this.endKey(false);
    if (byte === EQUALS) return this.endKey(true);
    if (this.collected.length >= MAX_KEY_BYTES) throw tooLong('field names', MAX_KEY_BYTES);
    this.collected.push(byte);
  }

  /** A key ends: at `=` (its value follows) or at `&` or the body's end (a key alone, an empty value). */
  private endKey(valueFollows: boolean): void {
    if (this.collected.length === 0 && !valueFollows) return; // `&&`, a trailing `&`: nothing
    const key = decodeWhole(Buffer.from(this.collected));
    this.collected = [];
    this.count += 1;
    if (this.count > MAX_FIELDS) throw new HangarError('BadRequest', `The form may have at most ${MAX_FIELDS} fields.`);
    if (key === this.streamedKey) {
      if (this.sawStreamed) throw new HangarError('BadRequest', `The form has ${key} more than once.`, { path: [key] });
      this.sawStreamed = true;
      if (valueFollows) this.state = 'streamed';
      return;
    }
    this.key = key;
    if (valueFollows) this.state = 'other';
    else this.fields.set(key, '');
  }

  private stepOther(byte: number): void {
    if (byte === AMPERSAND) {
      this.endOther();
      return;
    }
    if (this.collected.length >= MAX_OTHER_VALUE_BYTES) throw tooLong('field values', MAX_OTHER_VALUE_BYTES, this.key);
    this.collected.push(byte);
  }

  private endOther(): void {
    this.fields.set(this.key, decodeWhole(Buffer.from(this.collected)));
    this.collected = [];
    this.state = 'key';
  }

  /** Decodes the streamed value from `index` until its `&` or the chunk's end; returns where it stopped. */
  private feedStreamed(chunk: Buffer, start: number, out: Buffer[]): number {
    const decoded = Buffer.allocUnsafe(chunk.length - start + this.pending.length);
    let length = 0;
    let index = start;
    const bytes = this.pending.length > 0 ? [...this.pending] : [];
    this.pending = [];
    const next = (): number | undefined => (bytes.length > 0 ? bytes.shift() : index < chunk.length ? chunk[index++] : undefined);
    const peekAt = (offset: number): number | undefined => (offset < bytes.length ? bytes[offset] : chunk[index + offset - bytes.length]);
    const remaining = () => bytes.length + chunk.length - index;
    for (;;) {
      if (remaining() === 0) break;
      const first = peekAt(0) as number;
      if (first === AMPERSAND) {
        next();
        this.state = 'key';
        break;
      }
      if (first === PERCENT) {
        if (remaining() < 3) {
          // Its hex digits are in the next chunk: keep what there is until then.
          while (remaining() > 0) this.pending.push(next() as number);
          break;
        }
        const high = hexValue(peekAt(1) as number);
        const low = hexValue(peekAt(2) as number);
        if (high >= 0 && low >= 0) {
          next();
          next();
          next();
          decoded[length++] = high * 16 + low;
          continue;
        }
      }
      next();
      decoded[length++] = first === PLUS ? SPACE : first;
    }
    if (length > 0) out.push(decoded.subarray(0, length));
    return index;
  }
}
