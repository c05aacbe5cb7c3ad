import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * Small deterministic PNGs for the fakes' image URLs (QR codes, avatar headshots). They are valid PNG
 * files whose pattern is derived from a seed; they are not scannable QR codes.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

/** An 8-bit greyscale PNG; `dark(x, y)` picks black or white per pixel. */
function encodePng(width: number, height: number, dark: (x: number, y: number) => boolean): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // colour type: greyscale
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = dark(x, y) ? 0 : 255;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A QR-looking 25×25-module picture of `seed` (finder squares in three corners), 4 px per module. */
export function patternPng(seed: string, modules = 25, scale = 4): Buffer {
  const bits = createHash('sha512').update(seed).digest();
  const quiet = 2;
  const size = (modules + 2 * quiet) * scale;
  const finder = (mx: number, my: number) => {
    for (const [ox, oy] of [[0, 0], [modules - 7, 0], [0, modules - 7]] as const) {
      const x = mx - ox;
      const y = my - oy;
      if (x >= 0 && x < 7 && y >= 0 && y < 7) {
        const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
        return ring !== 2;
      }
    }
    return undefined;
  };
  return encodePng(size, size, (px, py) => {
    const mx = Math.floor(px / scale) - quiet;
    const my = Math.floor(py / scale) - quiet;
    if (mx < 0 || my < 0 || mx >= modules || my >= modules) return false;
    const f = finder(mx, my);
    if (f !== undefined) return f;
    const i = (my * modules + mx) % (bits.length * 8);
    return (((bits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
  });
}
