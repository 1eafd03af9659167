/**
 * Request-body JSON parsing for the hot path.
 *
 * 1. A pre-scan (scanJson) walks the text once, before any parser sees it: it tracks
 *    string/escape state, counts nesting and throws MODELGATE_ERR_JSON_TOO_DEEP as soon as
 *    the depth passes maxDepth (a 1e6-deep `[[[[…` is refused after maxDepth + 1
 *    characters). The same walk notes whether an integer literal may be too large for a
 *    double: a run of 16+ digits that starts a number (after `[`, `,`, `:` or whitespace,
 *    with an optional `-`) and is not followed by `.`, `e` or `E`; 16-digit runs up to
 *    9007199254740991 are excluded. Digit runs in fractions, exponents and strings never
 *    count, so float data printed with 17 significant digits stays on the fast path.
 * 2. Common path: JSON.parse. Bodies flagged in step 1 go to lossless-json instead, which
 *    returns those integers as bigint (every other value as JSON.parse gives it).
 *
 * The scan jumps between structural characters with one native regex (a 16-digit run is
 * matched together with the character before it) and skips strings with indexOf; after the
 * first big integer it looks for structure only. Measured with codec.bench.ts (Node 20,
 * x64 Xeon, 2 cores, ms per body, median of runs):
 *   body (≈1 MB)                     Buffer→string  scan  JSON.parse  exact parser*
 *   FP32, flat, 60k values (1.19 MB)        0.9        1.1      5.4         12
 *   FP32, rows of 4 (1.22 MB)               0.8        1.8      5.8         13
 *   INT32 < 1000, 250k values (0.97 MB)     0.6        1.1      3.7         13
 *   INT64 ≈ ±2^62, 50k values (1.01 MB)     0.7        0.5   (4.0, lossy)   15–22
 * (*measured with an earlier hand-written exact parser; see codec.bench.ts for lossless-json)
 * i.e. the pre-scan adds 20–35 % to JSON.parse on numeric bodies, and a body with big
 * integers costs about 4× a plain parse (still exact).
 */
import { GatewayError } from '../errors.ts';
import { parse as parseLossless, isInteger, isSafeNumber } from 'lossless-json';

export interface ParseJsonBodyOptions {
  /** Deepest nesting of arrays/objects accepted; `[]` is depth 1. The gateway uses 100. */
  maxDepth: number;
}

export interface JsonScan {
  /** Some integer literal may not be exactly representable as a double. */
  bigIntegers: boolean;
}

// A number start followed by 16 digits (the match ends on the 16th digit), or a structural
// character. '[' leads both: it is matched with the digits when a long number follows it.
const SCAN = /[[,:\s]-?\d{16}|[[\]{}"]/g;
/** Structural characters only: the scan switches to it once a big integer was found. */
const STRUCTURE = /[[\]{}"]/g;
const TOP_LEVEL_NUMBER = /\s*-?\d{16}/y;
const MAX_SAFE_16 = '9007199254740991';

/** True when the digit run [start, end) is an integer literal beyond MAX_SAFE_INTEGER. */
function isUnsafeIntegerRun(text: string, start: number, end: number): boolean {
  const after = text.charCodeAt(end);
  if (after === 0x2e || after === 0x65 || after === 0x45) return false; // . e E: not an integer literal
  return end - start > 16 || text.slice(start, end) > MAX_SAFE_16;
}

/** Index of the first non-digit at or after `i`. */
function digitsEnd(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i);
  return i;
}

function tooDeep(maxDepth: number, position: number): GatewayError {
  return new GatewayError(
    'MODELGATE_ERR_JSON_TOO_DEEP',
    `request body: JSON nesting deeper than ${maxDepth} levels (at position ${position})`,
  );
}

/**
 * The pre-scan: throws MODELGATE_ERR_JSON_TOO_DEEP when nesting passes maxDepth, and
 * reports whether the exact parser is needed. It does not validate the JSON.
 */
export function scanJson(text: string, maxDepth: number): JsonScan {
  let depth = 0;
  let bigIntegers = false;
  TOP_LEVEL_NUMBER.lastIndex = 0;
  if (TOP_LEVEL_NUMBER.test(text)) {
    const end = TOP_LEVEL_NUMBER.lastIndex;
    bigIntegers = isUnsafeIntegerRun(text, end - 16, digitsEnd(text, end));
  }
  let re = bigIntegers ? STRUCTURE : SCAN;
  re.lastIndex = 0;
  while (re.test(text)) {
    let i = re.lastIndex - 1;
    let c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      const start = i - 15;
      const end = digitsEnd(text, i + 1);
      re.lastIndex = end;
      if (isUnsafeIntegerRun(text, start, end)) {
        bigIntegers = true;
        STRUCTURE.lastIndex = end;
        re = STRUCTURE;
      }
      i = text.charCodeAt(start - 1) === 0x2d ? start - 2 : start - 1; // the lead character
      c = text.charCodeAt(i);
      if (c !== 0x5b) continue;
    }
    if (c === 0x22) {
      // Find the closing quote: one preceded by an even number of backslashes.
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) { re.lastIndex = text.length; break; }
        let b = q - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((q - 1 - b) % 2 === 0) { re.lastIndex = q + 1; break; }
        from = q + 1;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) throw tooDeep(maxDepth, i);
    } else {
      depth--;
    }
  }
  return { bigIntegers };
}

function malformed(what: string): GatewayError {
  return new GatewayError('MODELGATE_ERR_MALFORMED_JSON', `request body: malformed JSON: ${what}`);
}

/**
 * Parses a request body. Integer literals that a double cannot hold exactly come back as
 * bigint (e.g. INT64 data 9007199254740993); everything else as JSON.parse returns it.
 * Throws GatewayError MODELGATE_ERR_JSON_TOO_DEEP or MODELGATE_ERR_MALFORMED_JSON (the
 * message gives the offset in UTF-16 characters of the decoded text, nothing else).
 */
export function parseJsonBody(
  body: Buffer | Uint8Array | string,
  opts: ParseJsonBodyOptions,
): unknown {
  const text = typeof body === 'string'
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.trim() === '') throw malformed('empty body');
  const { bigIntegers } = scanJson(text, opts.maxDepth);
  try {
    return bigIntegers ? parseLossless(text, undefined, exactNumber) : JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) throw malformed('too large to parse');
    // JSON.parse's messages on Node 20 often lack a position: lossless-json's name the offset.
    try {
      parseLossless(text, undefined, exactNumber);
    } catch (located) {
      if (located instanceof SyntaxError) throw malformed(located.message);
    }
    throw malformed('invalid JSON');
  }
}

/** Integer literals a double cannot hold exactly become bigint; every other number a double. */
function exactNumber(literal: string): number | bigint {
  return isInteger(literal) && !isSafeNumber(literal) ? BigInt(literal) : Number(literal);
}