/** How senses look in both figures: one colour per cluster id, one marker shape per word, the same in the scatter and the concordance. */
import { t } from '../strings';
import type { Theme } from '../theme';

/** Cluster ids stay stable across layers (the engine matches them), so a sense keeps its colour; -1 (not clustered yet) is muted. */
export function senseColor(theme: Pick<Theme, 'palette' | 'muted'>, id: number): string {
  if (id < 0 || !theme.palette.length) return theme.muted;
  return theme.palette[id % theme.palette.length];
}

/** The scatter's marker for an occurrence of the request's word (circle) or of the compared word (diamond). */
export function wordSymbol(isAlso: boolean): 'circle' | 'diamond' {
  return isAlso ? 'diamond' : 'circle';
}

/** The name of cluster `id` (ids count from 0; people count senses from 1). */
export function senseName(id: number): string {
  return id < 0 ? t('senseUnclustered') : t('senseName', { n: id + 1 });
}
