/** When the map leaves its text labels out (no DOM: the stress campaign reads the same rule). */

/**
 * Above this many points the map draws markers without text labels: tens of thousands of SVG labels (a
 * selection at the 40,960-character limit is about 40,000 CJK tokens) never finished drawing and took the
 * webview down. The hover still names every point.
 */
export const MAP_LABEL_LIMIT = 2000;

/** Whether the map at this projection shows its points without labels. */
export function mapLabelsHidden(pointCount: number): boolean {
  return pointCount > MAP_LABEL_LIMIT;
}
