/**
 * The Attention tab's note for a causal model (issue 13): it cannot look ahead, so the upper triangle is
 * empty by construction; and, where the export fuses attention (ModelStatusView.attentionAvailable false),
 * that there is no attention to show. Updates itself on the model and the strings.
 */
import { on } from '../bus';
import { el } from '../dom';
import { state } from '../state';
import { t } from '../strings';
import { isCausalView } from '../causal/causalFacts';
import { installCausalStyles } from '../causal/styles';

export function createCausalNote(): HTMLElement {
  installCausalStyles();
  const note = el('p', { class: 'causal-note', role: 'note', 'data-testid': 'attention-causal-note' });
  const update = (): void => {
    const hidden = state.model?.attentionAvailable === false;
    const causal = isCausalView(state.model, state.snippets[0]);
    note.hidden = !hidden && !causal;
    note.classList.toggle('hidden-attention', hidden);
    note.dataset.kind = hidden ? 'hidden' : 'causal';
    note.textContent = hidden ? t('attentionHiddenNote') : causal ? t('attentionCausalNote') : '';
  };
  on('model', update);
  on('snippets', update);
  on('strings', update);
  update();
  return note;
}
