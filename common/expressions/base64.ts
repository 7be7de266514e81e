/**
 * `$base64encode` / `$base64decode` without Node's Buffer or the browser's btoa/atob, which the workflow
 * sandbox lacks (JSONata reaches for them and fails there). Same answers as JSONata on Node: encoding takes
 * each UTF-16 code unit's low byte (Buffer's 'binary'), decoding accepts the standard and URL-safe alphabets,
 * skips other characters and stops at the first '=' (looking, like Buffer, only at each code unit's low byte); bytes come back as one character each (latin1).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Map<string, number>(
  [...ALPHABET]
    .map((c, i) => [c, i] as [string, number])
    .concat([
      ['-', 62],
      ['_', 63],
    ]),
);

/** Base64 of the string's bytes (one byte per UTF-16 code unit, its low 8 bits). */
export function base64encode(str: string): string {
  let out = '';
  for (let i = 0; i < str.length; i += 3) {
    const n = str.length - i;
    const a = str.charCodeAt(i) & 0xff;
    const b = n > 1 ? str.charCodeAt(i + 1) & 0xff : 0;
    const c = n > 2 ? str.charCodeAt(i + 2) & 0xff : 0;
    const bits = (a << 16) | (b << 8) | c;
    out += ALPHABET[bits >> 18] + ALPHABET[(bits >> 12) & 63];
    out += n > 1 ? ALPHABET[(bits >> 6) & 63] : '=';
    out += n > 2 ? ALPHABET[bits & 63] : '=';
  }
  return out;
}

/** The bytes a base64 (or base64url) text encodes, one character per byte. */
export function base64decode(str: string): string {
  let out = '';
  let bits = 0;
  let count = 0;
  for (let i = 0; i < str.length; i++) {
    // Like Buffer, only the low byte of each UTF-16 code unit counts.
    const ch = String.fromCharCode(str.charCodeAt(i) & 0xff);
    if (ch === '=') break;
    const v = VALUES.get(ch);
    if (v === undefined) continue;
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += String.fromCharCode((bits >> count) & 0xff);
      bits &= (1 << count) - 1;
    }
  }
  return out;
}
