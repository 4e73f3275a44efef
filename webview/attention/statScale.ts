/**
 * The layers × heads grid coloured by one head statistic (Clark et al. 2019): each statistic's unit, the
 * range the colours span (the snippet's own heads, min … max), where a value falls on it, and the legend's
 * labelled values.
 */
import type { GridColouring, HeadStat } from '../../src/protocol';

export type StatColouring = Exclude<GridColouring, 'attention'>;

/** Entropy in nats; distance in token positions; the rest are shares of a row's attention (0 … 1, shown as %). */
export const STAT_UNITS: Record<StatColouring, 'nats' | 'tokens' | 'share'> = {
  entropy: 'nats',
  distance: 'tokens',
  toCls: 'share',
  toSep: 'share',
  toPrev: 'share',
  toNext: 'share',
  toPunct: 'share',
};

export interface StatScale {
  min: number;
  max: number;
}

/** The values' range; `null` for no finite value. Shares span at least 0 … their max (0 % means none). */
export function statScale(stats: readonly HeadStat[], key: StatColouring): StatScale | null {
  let min = Infinity;
  let max = -Infinity;
  for (const s of stats) {
    const v = s[key];
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min > max) return null;
  return STAT_UNITS[key] === 'share' ? { min: Math.min(0, min), max } : { min, max };
}

/** Where `value` falls on the scale, 0 … 1 (clamped); a scale of one value puts everything at 1. */
export function scalePosition(value: number, scale: StatScale): number {
  const span = scale.max - scale.min;
  if (!(span > 0)) return 1;
  return Math.max(0, Math.min(1, (value - scale.min) / span));
}

/** `count` evenly spaced values from min to max, both included (the legend's labels). */
export function legendValues(scale: StatScale, count = 3): number[] {
  if (count < 2 || !(scale.max > scale.min)) return [scale.min];
  return Array.from({ length: count }, (_, i) => scale.min + ((scale.max - scale.min) * i) / (count - 1));
}

/** A value with its unit: `1.23` (nats and tokens carry their unit in the legend's title), a share as `42.0%`. */
export function formatStat(value: number, key: StatColouring): string {
  return STAT_UNITS[key] === 'share' ? `${(value * 100).toFixed(1)}%` : value.toFixed(2);
}
