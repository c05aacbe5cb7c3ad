import { AppError } from '../../lib/errors';
import type { CardPrinting, PrismaClient } from '../../prisma/client';
import type { CardCatalog } from './catalog';
import { normaliseQuery } from './catalog';
import { invalidList } from './errors';
import { addHave, addWant, MAX_COPIES } from './lists';

/**
 * Bulk import of the text format deck and collection sites export:
 *
 *   4 Lightning Bolt (LEA) 161      quantity, name, (set) and collector number
 *   4x Lightning Bolt               a quantity with x, no printing: the card's newest printing
 *   1 Ragavan, Nimble Pilferer (MH2) 138 *F*     *F* foil, *E* etched (also a trailing "foil")
 *   Tarmogoyf                       no quantity: one copy
 *   # a comment, // a comment, blank lines, and section headers (Deck, Sideboard…) are skipped
 *
 * Each line is resolved through the catalog first. The result is PER LINE: a line that fails (bad
 * syntax, unknown card, a finish the printing does not exist in) is reported with why and changes
 * nothing; the lines that resolved are then applied together in ONE transaction (all of them or, if the
 * database refuses, none).
 */

const MAX_IMPORT_LINES = 500;
const HEADERS = new Set(['deck', 'sideboard', 'commander', 'companion', 'maybeboard', 'mainboard', 'main', 'side']);

export interface ImportLine {
  line: number;
  text: string;
  quantity: number;
  name: string;
  setCode?: string;
  collectorNumber?: string;
  finish?: 'foil' | 'etched';
}

export interface ImportFailure {
  line: number;
  text: string;
  reason: string;
}

export interface ImportReport {
  applied: { line: number; quantity: number; name: string; setCode: string; collectorNumber: string; finish: string; id: string }[];
  failed: ImportFailure[];
  /** The new have ids (haves imports), for want alerts. */
  haveIds: bigint[];
}

const LINE = /^(?:(\d+)\s*x?\s+)?(.+?)(?:\s+\(([A-Za-z0-9]{2,6})\)(?:\s+([A-Za-z0-9★-]{1,10}))?)?(?:\s+(\*F\*|\*E\*|foil|etched))?$/i;

/** Splits the text into card lines and failures; comments, blanks and section headers are left out. */
export function parseImport(text: string): { lines: ImportLine[]; failed: ImportFailure[] } {
  const rows = text.split(/\r?\n/);
  const lines: ImportLine[] = [];
  const failed: ImportFailure[] = [];
  rows.forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#') || t.startsWith('//') || HEADERS.has(t.toLowerCase().replace(/:$/, ''))) return;
    const m = LINE.exec(t);
    if (!m) return void failed.push({ line: i + 1, text: t, reason: 'Not a card line (expected e.g. “4 Lightning Bolt (LEA) 161”).' });
    const quantity = m[1] === undefined ? 1 : Number(m[1]);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_COPIES) {
      return void failed.push({ line: i + 1, text: t, reason: `The quantity must be from 1 to ${MAX_COPIES}.` });
    }
    const marker = m[5]?.toLowerCase();
    lines.push({
      line: i + 1,
      text: t,
      quantity,
      name: m[2]!.trim(),
      ...(m[3] ? { setCode: m[3].toLowerCase() } : {}),
      ...(m[4] ? { collectorNumber: m[4] } : {}),
      ...(marker ? { finish: marker === '*e*' || marker === 'etched' ? ('etched' as const) : ('foil' as const) } : {}),
    });
  });
  return { lines, failed };
}

/** A printing's name fits the line's when one starts with the other (double-faced cards: either face). */
function nameFits(printing: CardPrinting, name: string): boolean {
  const wanted = normaliseQuery(name);
  return [printing.name, ...printing.name.split(' // ')].some((n) => {
    const have = normaliseQuery(n);
    return have === wanted || have.startsWith(wanted) || wanted.startsWith(have);
  });
}

async function resolve(catalog: CardCatalog, line: ImportLine): Promise<CardPrinting> {
  if (line.setCode && line.collectorNumber) {
    const printing = await catalog.printing(line.setCode, line.collectorNumber);
    if (!nameFits(printing, line.name)) {
      throw invalidList(`${line.setCode.toUpperCase()} #${line.collectorNumber} is ${printing.name}, not ${line.name}.`);
    }
    return printing;
  }
  const printing = await catalog.named(line.name);
  if (line.setCode && printing.setCode !== line.setCode) {
    throw invalidList(`Give the collector number for ${printing.name} in ${line.setCode.toUpperCase()} (e.g. “(${line.setCode.toUpperCase()}) 123”).`);
  }
  return printing;
}

export async function importList(
  deps: { prisma: PrismaClient; catalog: CardCatalog },
  userId: string,
  kind: 'haves' | 'wants',
  text: string,
  opts: { condition?: string } = {},
): Promise<ImportReport> {
  const { lines, failed } = parseImport(text);
  if (lines.length + failed.length > MAX_IMPORT_LINES) throw invalidList(`An import has at most ${MAX_IMPORT_LINES} card lines; split the list.`);
  if (!lines.length && !failed.length) throw invalidList('The list has no card lines.');
  const resolved: { line: ImportLine; printing: CardPrinting }[] = [];
  for (const line of lines) {
    try {
      const printing = await resolve(deps.catalog, line);
      const finishes = printing.finishes;
      if (line.finish && !finishes.includes(line.finish)) throw invalidList(`${printing.name} (${printing.setCode.toUpperCase()}) ${printing.collectorNumber} is not printed in ${line.finish}.`);
      resolved.push({ line, printing });
    } catch (err) {
      // A known refusal (not found, ambiguous, a finish) is this line's; Scryfall being down is the whole import's.
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      failed.push({ line: line.line, text: line.text, reason: err.message });
    }
  }
  const haveIds: bigint[] = [];
  await deps.prisma.$transaction(async (tx) => {
    for (const { line, printing } of resolved) {
      if (kind === 'haves') {
        const nonfoil = printing.finishes.includes('nonfoil') ? 'nonfoil' : printing.finishes[0];
        const { haveId } = await addHave(tx, userId, { printing, quantity: line.quantity, condition: opts.condition, finish: line.finish ?? nonfoil });
        haveIds.push(haveId);
      } else {
        // A want without a printing (no set given) is for any printing of the card.
        await addWant(tx, userId, { printing, quantity: line.quantity, anyPrinting: !line.setCode && !!printing.oracleId, foilRequired: line.finish !== undefined, minCondition: opts.condition });
      }
    }
  });
  return {
    applied: resolved.map(({ line, printing }) => ({
      line: line.line,
      quantity: line.quantity,
      name: printing.name,
      setCode: printing.setCode,
      collectorNumber: printing.collectorNumber,
      finish: line.finish ?? 'nonfoil',
      id: printing.id,
    })),
    failed: failed.sort((a, b) => a.line - b.line),
    haveIds,
  };
}
