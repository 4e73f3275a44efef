/** The Senses tab's summary line: the word(s), how many occurrences were found and analysed, the files searched and skipped. */
import type { SensesResult } from '../../src/protocol';
import { el } from '../dom';
import { t, type StringKey } from '../strings';

export interface SummaryFacts {
  found: number;
  foundAlso?: number;
  analysed: number;
  total: number;
  /** Fewer occurrences analysed than found: an even sample. */
  sampled: boolean;
  analysing: boolean;
  files: number;
  skipped: { key: StringKey; n: number }[];
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

/** The figures the summary states, from the result's search summary (pure: tested in sensesView.test.ts). */
export function summaryFacts(result: SensesResult): SummaryFacts {
  const s = result.search;
  const found = count(s?.found);
  const foundAlso = result.also !== undefined ? count(s?.foundAlso) : undefined;
  // Identical contexts are analysed once (with their count): what was covered is the sum of the counts.
  const covered = result.occurrences.reduce((n, o) => n + (Number.isInteger(o.count) && o.count > 0 ? o.count : 1), 0);
  const chosen = result.done ? covered : count(s?.toAnalyse);
  return {
    found,
    foundAlso,
    analysed: count(s?.analysed),
    total: count(s?.toAnalyse),
    sampled: chosen < found + (foundAlso ?? 0),
    analysing: !result.done,
    files: count(s?.filesSearched),
    skipped: (
      [
        { key: 'sensesSkippedBinary', n: count(s?.skippedBinary) },
        { key: 'sensesSkippedLarge', n: count(s?.skippedTooLarge) },
        { key: 'sensesSkippedUnreadable', n: count(s?.skippedUnreadable) },
      ] as const
    ).filter((x) => x.n > 0),
  };
}

export function renderSummary(root: HTMLElement, result: SensesResult): void {
  const f = summaryFacts(result);
  const figures =
    f.foundAlso === undefined
      ? t('sensesFound', { found: f.found, analysed: f.analysed })
      : t('sensesFoundAlso', { found: f.found, foundAlso: f.foundAlso, analysed: f.analysed });
  const skipped = f.skipped.length ? `, ${t('sensesSkipped', { list: f.skipped.map((x) => t(x.key, { n: x.n })).join(', ') })}` : '';
  const parts: (HTMLElement | null)[] = [
    el('span', { class: 'word' }, result.word),
    result.also !== undefined ? el('span', { class: 'versus' }, t('sensesVersus')) : null,
    result.also !== undefined ? el('span', { class: 'word' }, result.also) : null,
    el('span', { class: 'figures', 'data-found': f.found, 'data-analysed': f.analysed }, figures),
    f.sampled ? el('span', { class: 'badge', title: t('sensesSampledTitle') }, t('sensesSampled')) : null,
    result.standardized ? el('span', { class: 'badge' }, t('sensesStandardizedBadge')) : null,
    f.analysing ? el('span', { class: 'analysing', role: 'status' }, t('sensesAnalysing', { done: f.analysed, total: f.total })) : null,
    el('span', { class: 'files' }, `${t('sensesFiles', { n: f.files })}${skipped}`),
    el('span', { class: 'model' }, result.model),
  ];
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  root.dataset.done = String(result.done);
}
