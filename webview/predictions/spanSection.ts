/**
 * The Tokens tab's Guess Masked Span result: the span in its line, the top-k at each masked position (every
 * span token masked at once) and the joint fills with their scores.
 */
import type { SpanView } from '../../src/protocol';
import { formatProbability } from '../../src/shared/format';
import { el } from '../dom';
import { t } from '../strings';
import { oneLine } from '../tokenText';

/** Characters of the line shown either side of the span. */
const CONTEXT = 30;

export function spanSection(span: SpanView, onClose: () => void): HTMLElement {
  const r = span.result;
  const spanText = span.text.slice(r.start, r.end);
  const before = span.text.slice(Math.max(0, r.start - CONTEXT), r.start);
  const after = span.text.slice(r.end, r.end + CONTEXT);
  const close = el('button', { type: 'button', class: 'link-button', title: t('spanCloseTitle'), 'data-testid': 'span-close' }, t('spanClose'));
  close.addEventListener('click', onClose);

  const positions = el('table', { class: 'span-positions', 'data-testid': 'span-positions' });
  const head = el('tr');
  const k = Math.max(0, ...r.positions.map((p) => p.length));
  r.tokens.forEach((tok) => head.appendChild(el('th', { scope: 'col' }, el('span', { class: 'span-masked' }, '[MASK]'), ' ', el('span', { class: 'hint' }, tok.piece))));
  const body = el('tbody');
  for (let rank = 0; rank < k; rank++) {
    const tr = el('tr');
    r.positions.forEach((guesses, i) => {
      const g = guesses[rank];
      const original = r.tokens[i]?.piece;
      tr.appendChild(
        g
          ? el('td', { class: g.token === original ? 'hit' : '' }, el('span', { class: 'lg-token' }, g.token), el('span', { class: 'lg-prob' }, formatProbability(g.probability)))
          : el('td'),
      );
    });
    body.appendChild(tr);
  }
  positions.append(el('thead', {}, head), body);

  const fills = el('ol', { class: 'span-fills', 'data-testid': 'span-fills' });
  for (const f of r.fills) {
    fills.appendChild(
      el(
        'li',
        { class: f.text === spanText ? 'span-fill hit' : 'span-fill' },
        el('span', { class: 'fill-text' }, f.text),
        el('span', { class: 'hint' }, ` ${f.tokens.join(' · ')}`),
        el('span', { class: 'prob', title: t('spanScore') }, formatProbability(f.score)),
      ),
    );
  }

  return el(
    'section',
    { class: 'span-guesses', 'data-testid': 'span-guesses', 'data-span': spanText, 'aria-live': 'polite' },
    el('div', { class: 'strip-header' }, el('h3', {}, t('spanTitle', { span: oneLine(spanText) })), el('span', { class: 'badge' }, span.label), close),
    el('p', { class: 'context' }, r.start > CONTEXT ? '…' : '', oneLine(before), el('mark', {}, spanText), oneLine(after), r.end + CONTEXT < span.text.length ? '…' : ''),
    el('div', { class: 'span-body' },
      el('div', {}, el('h4', { class: 'side-title' }, t('spanFills')), fills),
      el('div', { class: 'span-positions-box' }, el('h4', { class: 'side-title' }, t('spanPositions')), positions),
    ),
    el('p', { class: 'hint' }, t('spanHint')),
  );
}
