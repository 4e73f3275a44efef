/** Arrow-key navigation inside a group of controls (tabs, token chips, grid cells) with one tab stop. */

/** Next index for roving focus with arrow keys; null when the key is not a navigation key. */
export function rovingIndex(key: string, index: number, count: number, orientation: 'horizontal' | 'vertical' = 'horizontal'): number | null {
  if (count <= 0) return null;
  const prev = orientation === 'horizontal' ? 'ArrowLeft' : 'ArrowUp';
  const next = orientation === 'horizontal' ? 'ArrowRight' : 'ArrowDown';
  if (key === prev) return (index - 1 + count) % count;
  if (key === next) return (index + 1) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

/** Makes `items[to]` the group's one tab stop (roving tabindex) and focuses it. */
export function moveFocus(items: readonly HTMLElement[], from: number, to: number): void {
  items[from].tabIndex = -1;
  items[to].tabIndex = 0;
  items[to].focus();
}
