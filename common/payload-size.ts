/**
 * Temporal's payload size limit, measured the way the server measures it: the protobuf size of the encoded
 * `Payloads` message (each value as the payload converter encodes it: JSON bytes plus metadata). The server
 * refuses a single payload blob (activity input or result, workflow input or output, signal input) above
 * `limit.blobSize.error`; checking first lets the platform fail clearly (`PayloadTooLarge`) instead of having
 * Temporal fail the run or the activity after the platform reported success. Sandbox-safe (types only).
 */
import type { Payload, PayloadConverter } from '@temporalio/common';
import { FailureType } from './errors/catalogue';

/** The dev server's and a default cluster's `limit.blobSize.error`: 2 MiB. */
export const DEFAULT_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/** Failure type (and API problem detail) of a value over the limit. */
export const PAYLOAD_TOO_LARGE = FailureType.PayloadTooLarge;

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size += 1;
  }
  return size;
}

// A length-delimited protobuf field: one tag byte (field numbers < 16), the length, the bytes.
const field = (len: number) => 1 + varintSize(len) + len;

/** Protobuf size of one Payload (metadata map entries and data). */
export function payloadSize(p: Payload): number {
  let size = p.data && p.data.length > 0 ? field(p.data.length) : 0;
  for (const [key, value] of Object.entries(p.metadata ?? {})) {
    const entry = field(utf8Length(key)) + field(value?.length ?? 0);
    size += field(entry);
  }
  return size;
}

/** Protobuf size of the `Payloads` message carrying `values`, each encoded by `converter`. */
export function encodedSize(converter: PayloadConverter, values: unknown[]): number {
  return values.reduce<number>((sum, v) => sum + field(payloadSize(converter.toPayload(v))), 0);
}

// Upper bound of the metadata and framing bytes of one JSON payload (encoding: json/plain, plus headroom).
const PER_VALUE_OVERHEAD = 64;

/**
 * The encoded size of `values` when it exceeds `limitBytes`, else undefined. Values whose JSON text is far
 * below the limit (at most 3 UTF-8 bytes per UTF-16 unit) are not encoded twice: only the JSON length is taken.
 */
export function oversize(converter: PayloadConverter, values: unknown[], limitBytes: number): number | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(values);
  } catch {
    json = undefined; // not JSON (the converter decides how to encode it, or refuses)
  }
  if (json !== undefined && json.length * 3 + PER_VALUE_OVERHEAD * values.length <= limitBytes) return undefined;
  const size = encodedSize(converter, values);
  return size > limitBytes ? size : undefined;
}

/** The message of a PayloadTooLarge failure. */
export function payloadTooLargeMessage(what: string, size: number, limitBytes: number): string {
  return `${what} is ${size} bytes encoded; Temporal accepts at most ${limitBytes} bytes per payload (TEMPORAL_PAYLOAD_LIMIT_BYTES)`;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}
