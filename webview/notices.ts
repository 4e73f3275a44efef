/** The progress line and the error banner under the top bar. */
import { emit, on } from './bus';
import { clamp } from './clamp';
import { el } from './dom';
import { state } from './state';
import { t } from './strings';

/** The host's long-running work (download, analysis, projection): a message and a bar, indeterminate without a fraction. */
export function createProgressNotice(): HTMLElement {
  const message = el('span', { class: 'progress-msg' });
  const fill = el('div', { class: 'progress-fill' });
  const bar = el('div', { class: 'progress-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
  const root = el('div', { class: 'progress', 'data-testid': 'progress', role: 'status', 'aria-live': 'polite', hidden: true }, bar, message);
  on('progress', () => {
    const p = state.progress;
    root.hidden = !p;
    message.textContent = p?.message ?? '';
    const known = typeof p?.fraction === 'number' && Number.isFinite(p.fraction);
    bar.classList.toggle('indeterminate', !known);
    if (known) {
      const pct = Math.round(clamp(p!.fraction!, 0, 1) * 100);
      fill.style.width = `${pct}%`;
      bar.setAttribute('aria-valuenow', String(pct));
    } else {
      fill.style.width = '';
      bar.removeAttribute('aria-valuenow');
    }
  });
  return root;
}

/** The last error, until the user dismisses it. */
export function createErrorBanner(): HTMLElement {
  const text = el('span', { class: 'error-text' });
  const close = el('button', { type: 'button', class: 'btn secondary' });
  const root = el('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error', hidden: true }, el('span', { class: 'codicon-error', 'aria-hidden': 'true' }, '⚠'), text, close);
  close.addEventListener('click', () => {
    state.error = null;
    emit('error');
  });
  const applyStrings = (): void => {
    close.textContent = t('dismiss');
  };
  on('error', () => {
    root.hidden = !state.error;
    text.textContent = state.error ? `${t('errorPrefix')}: ${state.error}` : '';
  });
  on('strings', applyStrings);
  applyStrings();
  return root;
}
