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

/** Each byte's value as a hex digit, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (const [index, digit] of [...'0123456789abcdef'].entries()) {
  HEX[digit.charCodeAt(0)] = index;
  HEX[digit.toUpperCase().charCodeAt(0)] = index;
}

function hexValue(byte: number): number {
  return HEX[byte] ?? -1;
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

  /** Decodes the streamed value from `start` until its `&` or the chunk's end; returns where it stopped. */
  private feedStreamed(chunk: Buffer, start: number, out: Buffer[]): number {
    let index = start;
    if (this.pending.length > 0) {
      // A `%` (and maybe one hex digit) the last chunk ended with: completed from this one's first bytes.
      const carried = this.pending.length;
      while (this.pending.length < 3 && index < chunk.length) this.pending.push(chunk[index++] as number);
      if (this.pending.length < 3) return index;
      const high = HEX[this.pending[1] as number] as number;
      const low = HEX[this.pending[2] as number] as number;
      if (high >= 0 && low >= 0) out.push(Buffer.of(high * 16 + low));
      else {
        // Not an escape: the `%` stays as it is, and what followed it is read again as ordinary input.
        out.push(Buffer.from(this.pending.slice(0, carried)));
        index = start;
      }
      this.pending = [];
    }
    const end = chunk.length;
    const decoded = Buffer.allocUnsafe(end - index);
    // A plain Uint8Array view: element reads on it stay monomorphic in the hot loop.
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    let length = 0;
    while (index < end) {
      const byte = bytes[index] as number;
      if (byte === AMPERSAND) {
        index += 1;
        this.state = 'key';
        break;
      }
      if (byte === PERCENT) {
        if (index + 2 >= end) {
          // Its hex digits are in the next chunk: keep what there is until then.
          for (; index < end; index += 1) this.pending.push(bytes[index] as number);
          break;
        }
        const high = HEX[bytes[index + 1] as number] as number;
        const low = HEX[bytes[index + 2] as number] as number;
        if (high >= 0 && low >= 0) {
          decoded[length++] = high * 16 + low;
          index += 3;
          continue;
        }
      }
      decoded[length++] = byte === PLUS ? SPACE : byte;
      index += 1;
    }
    if (length > 0) out.push(decoded.subarray(0, length));
    return index;
  }
}
