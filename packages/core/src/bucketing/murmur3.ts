const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixTail(h: number, tail: number): number {
  let k = Math.imul(tail, C1);
  k = (k << 15) | (k >>> 17);
  return h ^ Math.imul(k, C2);
}

function finalize(h: number, byteLength: number): number {
  h ^= byteLength;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Continue a hash from a block boundary (`start` chars in, all ASCII so far) through arbitrary text. */
function hashUtf8Rest(text: string, start: number, h: number): number {
  const n = text.length;
  let i = start;
  // General path for the rest: one code point at a time. `pending` holds bytes not yet mixed,
  // little-endian, and the next byte goes in at bit `fill`.
  let pending = 0;
  let fill = 0;
  let byteLength = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    // The UTF-8 bytes of one code point, first byte in the lowest bits.
    let bytes: number;
    let bits: number;
    if (c < 0x80) {
      bytes = c;
      bits = 8;
    } else if (c < 0x800) {
      bytes = 0xc0 | (c >>> 6) | ((0x80 | (c & 0x3f)) << 8);
      bits = 16;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = ((c - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        bytes =
          0xf0 |
          (cp >>> 18) |
          ((0x80 | ((cp >>> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >>> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        bits = 32;
        i++;
      } else {
        // Lone surrogate: U+FFFD, as TextEncoder does, so every runtime agrees on the bytes.
        bytes = 0xef | (0xbf << 8) | (0xbd << 16);
        bits = 24;
      }
    } else {
      bytes = 0xe0 | (c >>> 12) | ((0x80 | ((c >>> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      bits = 24;
    }
    i++;
    byteLength += bits >>> 3;

    pending |= bytes << fill;
    fill += bits;
    if (fill >= 32) {
      h = mixBlock(h, pending);
      fill -= 32;
      // Carry the bytes of this code point that did not fit in the block (shift is 8..24 here).
      pending = fill === 0 ? 0 : bytes >>> (bits - fill);
    }
  }
  if (fill > 0) h = mixTail(h, pending);
  return finalize(h, byteLength);
}

/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of `text` (lone surrogates encode as U+FFFD, like WHATWG TextEncoder).
 *
 * Returns an unsigned 32-bit integer. UTF-8 is encoded on the fly so the hot path allocates nothing:
 * SDKs call this once per evaluation and `TextEncoder` is not available in pure core anyway.
 */
export function murmur3(text: string, seed: number): number {
  const n = text.length;
  let h = seed | 0;
  let i = 0;

  // Fast path: whole 4-byte blocks of ASCII, the shape of nearly every unit id. Kept small so
  // V8 inlines it into callers; anything non-ASCII continues in hashUtf8Rest.
  for (; i + 3 < n; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return hashUtf8Rest(text, i, h);
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  let tail = 0;
  for (let j = n - 1; j >= i; j--) {
    const c = text.charCodeAt(j);
    if (c >= 0x80) return hashUtf8Rest(text, i, h);
    tail = (tail << 8) | c;
  }
  if (i < n) h = mixTail(h, tail);
  return finalize(h, n);
}
