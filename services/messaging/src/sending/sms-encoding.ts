/**
 * SMS part counting (SPEC M1). GSM 03.38 basic characters count one septet, its extension table
 * (^{}\[~]|€ and form feed) two; an escape pair is never split across parts. Anything outside
 * GSM-7 sends the whole body as UCS-2 (UTF-16 code units; a surrogate pair is never split).
 */
import type { SmsEncoding } from '../__generated__/resolvers-types';

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export interface SmsParts {
  encoding: SmsEncoding;
  parts: number;
  /** septets (GSM-7) or UTF-16 code units (UCS-2) */
  length: number;
}

export function countSmsParts(body: string): SmsParts {
  const chars = [...body];
  if (chars.every((c) => BASIC.has(c) || EXTENSION.has(c))) {
    const weights = chars.map((c) => (EXTENSION.has(c) ? 2 : 1));
    const length = weights.reduce((a, b) => a + b, 0);
    return { encoding: 'GSM7', length, parts: length <= 160 ? 1 : split(weights, 153) };
  }
  const weights = chars.map((c) => c.length);
  const length = weights.reduce((a, b) => a + b, 0);
  return { encoding: 'UCS2', length, parts: length <= 70 ? 1 : split(weights, 67) };
}

function split(weights: number[], perPart: number): number {
  let parts = 1;
  let used = 0;
  for (const weight of weights) {
    if (used + weight > perPart) {
      parts++;
      used = 0;
    }
    used += weight;
  }
  return parts;
}
