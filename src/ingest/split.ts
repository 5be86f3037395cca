import { createHash, type Hash } from 'node:crypto';

/**
 * Records nested deeper than this are refused before anything parses them: far deeper than any audit
 * record (CloudTrail's deepest is about 10 levels), far below the engines' JSON limits (1,000) and any stack.
 */
export const MAX_DEPTH = 100;

/** How much of a record too large to send is kept in its dead letter. */
export const EXCERPT_BYTES = 4096;

/** One record's bytes as they stand in the file, found without parsing it. */
export interface Piece {
  /** The record's bytes; only the first EXCERPT_BYTES when `oversized`. */
  bytes: Buffer;
  /** 1-based line the record starts on. */
  line: number;
  /** Byte offset of its first byte in the (decompressed, UTF-8) stream. */
  offset: number;
  /** Its full size in bytes. */
  size: number;
  /** Not well-formed: an unclosed value, a stray token, or a raw line break in a string. */
  broken: boolean;
  /** It holds whitespace outside strings, so a compact copy is shorter. */
  spaced: boolean;
  /** Deeper than MAX_DEPTH. */
  tooDeep: boolean;
  /** Larger than the splitter's limit: only its start is kept, with its sha256 (hex). */
  oversized?: { sha256: string };
}

// What the scanner expects next inside a value.
const VALUE = 0; // a value (after `:` or `,` in an array)
const VALUE_OR_CLOSE = 1; // after `[`
const KEY_OR_CLOSE = 2; // after `{`
const KEY = 3; // after `,` in an object
const COLON = 4; // after a key
const AFTER = 5; // after a value: `,` or the closing bracket

// Where the scanner is.
const TOP = 0; // between top-level values
const GARBAGE = 1; // a top-level line that is no JSON value: it ends with the line
const IN_VALUE = 2;
const IN_STRING = 3;
const IN_SCALAR = 4;
const DEEP = 5; // past MAX_DEPTH: only brackets and strings are followed, until the record's end

const OBJECT = 1;
const ARRAY = 2;

const [LF, CR, SPACE, TAB, QUOTE, BACKSLASH, COMMA, COLON_CHAR, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET] = [
  10, 13, 32, 9, 34, 92, 44, 58, 123, 125, 91,
];
const CLOSE_BRACKET = 93;

const isSpace = (b: number) => b === SPACE || b === LF || b === CR || b === TAB;

const DELIVERY_KEYS = ['Records', 'records'];

/**
 * Finds the records in a stream of JSON text, chunk by chunk, keeping each record's exact bytes: one value,
 * JSON lines, the members of a top-level array or of a delivery file's `Records`/`records` array (an object
 * whose `Records` is null holds none). It checks the structure, not the values (JSON.parse does that
 * later), so it can cut a broken record off at the line where the next one starts. Memory is bounded by
 * `maxBytes`: a larger record keeps only its start, its size and its hash.
 */
export class RecordSplitter {
  private state = TOP;
  /** Container kind per depth (1-based); depth 0 is the top level. */
  private readonly stack = new Uint8Array(MAX_DEPTH + 4);
  private depth = 0;
  private expect = VALUE;
  private stringIsKey = false;
  private escaped = false;
  private deep = 0;
  private deepString = false;
  /** Depth whose members are the records: 0 plain values, 1 a top-level array, 2 a delivery file's Records. */
  private base = 0;
  /** The top-level object turned out to be a delivery file: it is no record itself. */
  private delivery = false;
  private key: number[] | undefined;
  private deliveryKey = false;

  private line = 1;
  private offset = 0;
  private lastLineStart = 0;

  private open = false;
  private recStart = 0;
  private recLine = 1;
  private recSize = 0;
  private parts: Buffer[] = [];
  private hash: Hash | undefined;
  private spaced = false;
  private tooDeep = false;
  private broken = false;

  constructor(private readonly maxBytes = Infinity) {}

  /** The records completed by this chunk. */
  push(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let i = 0;
    let keepFrom = this.open ? 0 : -1;
    const n = chunk.length;
    let nextQuote = -1;
    let nextEscape = -1;
    let nextBreak = -1;
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case TOP:
          if (isSpace(b)) break;
          if (b === OPEN_BRACKET) {
            // A top-level array: its members are the records.
            this.state = IN_VALUE;
            this.base = 1;
            this.enter(ARRAY);
            break;
          }
          this.begin(i);
          keepFrom = i;
          if (b === OPEN_BRACE) {
            this.state = IN_VALUE;
            this.enter(OBJECT);
          } else this.state = GARBAGE;
          break;
        case GARBAGE:
          if (b === LF) {
            out.push(this.finish(chunk, keepFrom, i, true));
            keepFrom = -1;
            this.state = TOP;
          }
          break;
        case IN_STRING: {
          if (this.escaped) {
            this.escaped = false;
            this.key?.push(b);
            break;
          }
          // Most bytes are inside strings: jump to the next quote, backslash or line break.
          if (nextQuote < i) nextQuote = indexOr(chunk, QUOTE, i);
          if (nextEscape < i) nextEscape = indexOr(chunk, BACKSLASH, i);
          if (nextBreak < i) nextBreak = indexOr(chunk, LF, i);
          const stop = Math.min(nextQuote, nextEscape, nextBreak);
          if (stop > i) {
            if (this.key && this.key.length <= 8)
              for (let k = i; k < stop && this.key.length <= 8; k++) this.key.push(chunk[k]!);
            i = stop;
            continue;
          }
          if (b === BACKSLASH) {
            this.escaped = true;
            this.key?.push(b);
          } else if (b === QUOTE) {
            this.state = IN_VALUE;
            if (this.stringIsKey) {
              this.expect = COLON;
              this.deliveryKey = this.key !== undefined && isDeliveryKey(this.key);
              this.key = undefined;
            } else if (this.valueDone(out, chunk, keepFrom, i + 1)) keepFrom = -1;
          } else {
            // A raw line break cannot be inside a JSON string: the record ends with its line.
            this.broken = true;
            if (this.open) out.push(this.finish(chunk, keepFrom, i, true));
            keepFrom = -1;
            this.reset();
          }
          break;
        }
        case IN_SCALAR:
          if (isSpace(b) || b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || b === COLON_CHAR) {
            this.state = IN_VALUE;
            if (this.valueDone(out, chunk, keepFrom, i)) keepFrom = -1;
            continue; // the delimiter is looked at again as what follows the value
          }
          break;
        case DEEP:
          if (this.escaped) this.escaped = false;
          else if (this.deepString) {
            if (b === BACKSLASH) this.escaped = true;
            else if (b === QUOTE) this.deepString = false;
          } else if (b === QUOTE) this.deepString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.deep++;
          else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --this.deep === 0) {
            this.state = IN_VALUE;
            if (this.valueDone(out, chunk, keepFrom, i + 1)) keepFrom = -1;
          }
          break;
        default: {
          if (isSpace(b)) {
            if (this.open) this.spaced = true;
            break;
          }
          const result = this.structure(b, out, chunk, keepFrom, i);
          if (result === 'ended') keepFrom = -1;
          else if (result === 'started') keepFrom = i;
          else if (result === 'broken-before') {
            keepFrom = -1;
            continue; // look at this byte again, at the top level
          } else if (result === 'broken-line') {
            if (!this.open) {
              this.begin(i);
              keepFrom = i;
            }
            this.state = GARBAGE;
            this.broken = true;
          }
        }
      }
      if (b === LF) {
        this.line++;
        this.lastLineStart = this.offset + i + 1;
      }
      i++;
    }
    if (this.open && keepFrom >= 0) this.keep(chunk, keepFrom, n);
    this.offset += n;
    return out;
  }

  /** The record left open at the end of the stream, if any: unclosed, so broken unless it is a bare line. */
  end(): Piece[] {
    if (!this.open) return [];
    const garbage = this.state === GARBAGE;
    if (!garbage) this.broken = true;
    const piece = this.finish(Buffer.alloc(0), -1, 0, true);
    this.reset();
    return [piece];
  }

  /** The bytes of the record still open when the stream broke off (a truncated gzip), and where it began. */
  abandon(): Piece | undefined {
    if (!this.open) return undefined;
    this.broken = true;
    const piece = this.finish(Buffer.alloc(0), -1, 0, false);
    this.reset();
    return piece;
  }

  /** Position in the stream: bytes and lines seen so far. */
  get position(): { offset: number; line: number } {
    return { offset: this.offset, line: this.line };
  }

  /** A structural byte inside a value; says what became of the record. */
  private structure(
    b: number,
    out: Piece[],
    chunk: Buffer,
    keepFrom: number,
    i: number,
  ): 'ended' | 'started' | 'broken-before' | 'broken-line' | undefined {
    const { expect } = this;
    if (expect === VALUE || expect === VALUE_OR_CLOSE) {
      if (b === CLOSE_BRACKET && expect === VALUE_OR_CLOSE) return this.close(out, chunk, keepFrom, i);
      if (b === CLOSE_BRACE || b === CLOSE_BRACKET || b === COMMA || b === COLON_CHAR)
        return this.fail(out, chunk, keepFrom, i);
      if (this.depth === this.base && this.base > 0) {
        // A member of the array whose members are the records.
        this.begin(i);
        this.value(b);
        return 'started';
      }
      if (this.deliveryKey && this.depth === 1 && this.base === 0) {
        this.deliveryKey = false;
        if (b === OPEN_BRACKET || b === 110 /* n(ull) */) {
          // A delivery file: its Records are the records, not the object around them.
          this.delivery = true;
          this.discard();
          if (b === OPEN_BRACKET) {
            this.base = 2;
            this.enter(ARRAY);
            return undefined;
          }
        }
      }
      this.value(b);
      return undefined;
    }
    if (expect === KEY_OR_CLOSE || expect === KEY) {
      if (b === QUOTE) {
        this.state = IN_STRING;
        this.stringIsKey = true;
        this.key = this.depth === 1 && this.base === 0 ? [] : undefined;
        return undefined;
      }
      if (b === CLOSE_BRACE && expect === KEY_OR_CLOSE) return this.close(out, chunk, keepFrom, i);
      return this.fail(out, chunk, keepFrom, i);
    }
    if (expect === COLON) {
      if (b === COLON_CHAR) {
        this.expect = VALUE;
        return undefined;
      }
      return this.fail(out, chunk, keepFrom, i);
    }
    // AFTER
    const kind = this.stack[this.depth];
    if (b === COMMA) {
      this.expect = kind === OBJECT ? KEY : VALUE;
      return undefined;
    }
    if ((b === CLOSE_BRACE && kind === OBJECT) || (b === CLOSE_BRACKET && kind === ARRAY))
      return this.close(out, chunk, keepFrom, i);
    return this.fail(out, chunk, keepFrom, i);
  }

  private value(b: number): void {
    if (b === OPEN_BRACE) this.enter(OBJECT);
    else if (b === OPEN_BRACKET) this.enter(ARRAY);
    else if (b === QUOTE) {
      this.state = IN_STRING;
      this.stringIsKey = false;
    } else this.state = IN_SCALAR;
  }

  private enter(kind: number): void {
    if (this.depth - this.base >= MAX_DEPTH) {
      this.tooDeep = true;
      this.state = DEEP;
      this.deep = 1;
      this.deepString = false;
      return;
    }
    this.stack[++this.depth] = kind;
    this.expect = kind === OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
  }

  private close(out: Piece[], chunk: Buffer, keepFrom: number, i: number): 'ended' | undefined {
    this.depth--;
    if (this.depth === 0 && this.base > 0) {
      // The end of a top-level array or delivery file.
      this.base = 0;
      this.state = TOP;
      if (this.delivery) this.delivery = false;
      return undefined;
    }
    if (this.base === 2 && this.depth === 1) {
      // The end of the Records array; the rest of the delivery file is no record.
      this.base = 0;
      this.expect = AFTER;
      return undefined;
    }
    return this.valueDone(out, chunk, keepFrom, i + 1) ? 'ended' : undefined;
  }

  /** A value ended just before `end`: when it was a whole record, emit it. */
  private valueDone(out: Piece[], chunk: Buffer, keepFrom: number, end: number): boolean {
    this.expect = AFTER;
    if (this.depth === this.base && this.open) {
      out.push(this.finish(chunk, keepFrom, end, false));
      if (this.base === 0) this.reset();
      return true;
    }
    if (this.depth === 0) {
      // A delivery file ended: nothing to emit, its records went out one by one.
      this.reset();
      return false;
    }
    return false;
  }

  /**
   * A byte that cannot stand here. When it begins its line, the broken record ended with the line
   * before and this byte is looked at again as the start of the next; otherwise the rest of the line
   * belongs to the broken record.
   */
  private fail(out: Piece[], chunk: Buffer, keepFrom: number, i: number): 'broken-before' | 'broken-line' {
    if (
      this.open &&
      this.lastLineStart > this.recStart &&
      startsLine(chunk, i, this.lastLineStart - this.offset)
    ) {
      this.broken = true;
      out.push(this.finish(chunk, keepFrom, i, true));
      this.reset();
      return 'broken-before';
    }
    this.resetStructure();
    return 'broken-line';
  }

  private begin(i: number): void {
    this.open = true;
    this.recStart = this.offset + i;
    this.recLine = this.line;
    this.recSize = 0;
    this.parts = [];
    this.hash = undefined;
    this.spaced = false;
    this.tooDeep = false;
    this.broken = false;
  }

  /** Forgets the open record's bytes: they were the envelope of a delivery file. */
  private discard(): void {
    this.open = false;
    this.parts = [];
    this.recSize = 0;
    this.hash = undefined;
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const slice = chunk.subarray(from, to);
    const size = this.recSize + slice.length;
    if (size <= this.maxBytes) this.parts.push(Buffer.from(slice));
    else {
      if (!this.hash) {
        this.hash = createHash('sha256');
        for (const part of this.parts) this.hash.update(part);
        const excerpt = Buffer.concat(this.parts).subarray(0, EXCERPT_BYTES);
        this.parts = [Buffer.from(excerpt)];
      }
      this.hash.update(slice);
      const have = this.parts[0]!.length;
      if (have < EXCERPT_BYTES)
        this.parts[0] = Buffer.concat([this.parts[0]!, slice.subarray(0, EXCERPT_BYTES - have)]);
    }
    this.recSize = size;
  }

  private finish(chunk: Buffer, keepFrom: number, end: number, trimEnd: boolean): Piece {
    if (keepFrom >= 0) this.keep(chunk, keepFrom, end);
    let bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    let size = this.recSize;
    if (trimEnd && !this.hash) {
      let cut = bytes.length;
      while (cut > 0 && isSpace(bytes[cut - 1]!)) cut--;
      bytes = bytes.subarray(0, cut);
      size = cut;
    }
    const piece: Piece = {
      bytes,
      line: this.recLine,
      offset: this.recStart,
      size,
      broken: this.broken,
      spaced: this.spaced,
      tooDeep: this.tooDeep,
      ...(this.hash ? { oversized: { sha256: this.hash.digest('hex') } } : {}),
    };
    this.open = false;
    this.parts = [];
    this.hash = undefined;
    return piece;
  }

  /** Back to the top level, e.g. after a broken record. */
  private reset(): void {
    this.resetStructure();
    this.state = TOP;
  }

  private resetStructure(): void {
    this.depth = 0;
    this.base = 0;
    this.delivery = false;
    this.deliveryKey = false;
    this.key = undefined;
    this.expect = VALUE;
    this.escaped = false;
    this.deep = 0;
  }
}

/** Whether only whitespace stands between the line's start (in this chunk) and `i`. */
function startsLine(chunk: Buffer, i: number, lineStart: number): boolean {
  if (lineStart < 0) return false;
  for (let k = lineStart; k < i; k++) if (!isSpace(chunk[k]!)) return false;
  return true;
}

/** The next position of `byte` from `from`, or the chunk's length. */
function indexOr(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at < 0 ? chunk.length : at;
}

function isDeliveryKey(key: number[]): boolean {
  return DELIVERY_KEYS.some(
    (k) => k.length === key.length && [...k].every((c, i) => c.charCodeAt(0) === key[i]),
  );
}
