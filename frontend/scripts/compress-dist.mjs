/**
 * Pre-compress the built SPA: next to each text file in dist/ (or the directory given), write
 * FILE.br (brotli, quality 11) and FILE.gz (gzip, level 9). WhiteNoise serves whichever sibling
 * the request's Accept-Encoding allows, with Vary: Accept-Encoding, so nothing is compressed per
 * request. Like `python -m whitenoise.compress`, a sibling that would not save at least 5 % is not
 * written; unlike it, this needs no Python package and runs wherever `npm run build` runs (the
 * Docker image's node stage too).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|xml|wasm|webmanifest)$/;
const root = resolve(process.argv[2] ?? join(import.meta.dirname, "..", "dist"));

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.test(entry.name)) yield path;
  }
}

let original = 0;
let brotli = 0;
let count = 0;
for (const path of files(root)) {
  const body = readFileSync(path);
  const variants = {
    ".br": brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }),
    ".gz": gzipSync(body, { level: 9 }),
  };
  for (const [suffix, compressed] of Object.entries(variants)) {
    // A stale sibling from an earlier build would be served instead of the new file.
    if (compressed.length < body.length * 0.95) writeFileSync(path + suffix, compressed);
    else rmSync(path + suffix, { force: true });
  }
  original += body.length;
  brotli += Math.min(variants[".br"].length, body.length);
  count += 1;
}
console.log(`compressed ${count} files in ${root}: ${(original / 1024).toFixed(0)} KiB -> ${(brotli / 1024).toFixed(0)} KiB brotli`);
