/** Where the sparkline of a probability over layers draws its points. Pure: unit-tested in Node. */

export interface SparklineBox {
  width: number;
  height: number;
  /** Room kept on every side (markers are drawn on the ends). */
  pad: number;
}

export interface SparklineGeometry {
  /** One point per value: x from the first layer (left) to the last (right); y = 1 at the top, 0 at the bottom. */
  points: { x: number; y: number }[];
  /** An SVG path through the points ('' without values). */
  path: string;
  /** The y of probability 0 (the baseline). */
  baseline: number;
}

export function sparklineGeometry(values: readonly number[], box: SparklineBox): SparklineGeometry {
  const innerW = Math.max(0, box.width - 2 * box.pad);
  const innerH = Math.max(0, box.height - 2 * box.pad);
  const n = values.length;
  const points = values.map((v, i) => {
    const p = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
    const x = n === 1 ? box.width / 2 : box.pad + (innerW * i) / (n - 1);
    return { x: round(x), y: round(box.pad + (1 - p) * innerH) };
  });
  const path = points.map((pt, i) => `${i ? 'L' : 'M'}${pt.x} ${pt.y}`).join(' ');
  return { points, path, baseline: round(box.pad + innerH) };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
