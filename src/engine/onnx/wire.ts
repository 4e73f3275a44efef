/**
 * The protobuf wire format, only as far as reading an ONNX file field by field and writing the few
 * fields the edit adds. No protobuf dependency: a Hub model is hundreds of MB of initializers, which
 * are never decoded, only skipped or copied.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** Thrown by the reader; turned into a user-facing CORRUPT_MODEL error by the callers. */
export class MalformedProtobufError extends Error {}

export const utf8 = new TextDecoder('utf-8');

export class WireReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varints up to 2^53: enough for tags, lengths and opset versions. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new MalformedProtobufError('varint runs past the end');
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new MalformedProtobufError('varint too large');
        return result;
      }
      scale *= 128;
    }
    throw new MalformedProtobufError('varint longer than 10 bytes');
  }

  /** Returns [start, end) of a length-delimited payload and moves past it. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new MalformedProtobufError('field runs past the end of its message');
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [start, end] = this.lengthDelimited();
    return utf8.decode(this.bytes.subarray(start, end));
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        // Groups (3/4) do not occur in ONNX; anything else means the bytes are not a protobuf.
        throw new MalformedProtobufError(`unexpected wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new MalformedProtobufError('field runs past the end of its message');
    this.pos += n;
  }
}

/** Reads only the `name` of a message whose name is a string field, skipping its (possibly huge) payload. */
export function readNameField(reader: WireReader, nameField: number): string {
  let name = '';
  while (!reader.done) {
    const tag = reader.varint();
    if (Math.floor(tag / 8) === nameField && (tag & 7) === WIRE_LENGTH_DELIMITED) name = reader.string();
    else reader.skip(tag & 7);
  }
  return name;
}

export interface FieldSpan {
  field: number;
  /** [start, end) of the whole field, tag included. */
  start: number;
  end: number;
  /** [start, end) of a length-delimited field's payload. */
  payload?: [number, number];
}

/** The fields of the message in bytes[start, end), in file order, as spans that can be copied unchanged. */
export function fieldSpans(bytes: Uint8Array, start: number, end: number): FieldSpan[] {
  const reader = new WireReader(bytes, start, end);
  const out: FieldSpan[] = [];
  while (!reader.done) {
    const at = reader.pos;
    const tag = reader.varint();
    const wire = tag & 7;
    if (wire === WIRE_LENGTH_DELIMITED) {
      const payload = reader.lengthDelimited();
      out.push({ field: Math.floor(tag / 8), start: at, end: reader.pos, payload });
    } else {
      reader.skip(wire);
      out.push({ field: Math.floor(tag / 8), start: at, end: reader.pos });
    }
  }
  return out;
}

export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Tag and length of a length-delimited field whose payload of `length` bytes follows. */
export function lengthDelimitedHeader(fieldNumber: number, length: number): Uint8Array {
  return Uint8Array.from([...encodeVarint((fieldNumber << 3) | WIRE_LENGTH_DELIMITED), ...encodeVarint(length)]);
}

export function messageField(fieldNumber: number, payload: Uint8Array): Uint8Array {
  return concatBytes([lengthDelimitedHeader(fieldNumber, payload.length), payload]);
}

export function stringField(fieldNumber: number, value: string): Uint8Array {
  return messageField(fieldNumber, new TextEncoder().encode(value));
}

export function varintField(fieldNumber: number, value: number): Uint8Array {
  return Uint8Array.from([...encodeVarint((fieldNumber << 3) | WIRE_VARINT), ...encodeVarint(value)]);
}
