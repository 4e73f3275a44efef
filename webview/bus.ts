/** A minimal change-notification bus: views subscribe to the parts of the state they draw. */

export type Topic =
  // The Senses tab (webview/senses): its result, scatter layout, the standardize setting, a tab the host shows.
  | 'senses'
  | 'sensesProjection'
  | 'standardize'
  | 'showTab'
  | 'strings'
  | 'model'
  | 'snippets'
  | 'projection'
  | 'progress'
  | 'error'
  | 'attention'
  | 'grid'
  | 'selection'
  | 'tab'
  | 'theme'
  | 'hideSpecial'
  | 'layer'
  | 'guesses'
  | 'guessProgress'
  // Pieces / Words (issue 12): the top bar's switch changed; a snippet's words arrived.
  | 'unit'
  | 'words'
  // The Compare tab (webview/compare).
  | 'compare';

const listeners = new Map<Topic, Set<() => void>>();

export function on(topic: Topic, fn: () => void): void {
  let set = listeners.get(topic);
  if (!set) listeners.set(topic, (set = new Set()));
  set.add(fn);
}

/** Calls every listener of `topic`; one view that throws does not stop the others. */
export function emit(topic: Topic): void {
  for (const fn of listeners.get(topic) ?? []) {
    try {
      fn();
    } catch (err) {
      console.error(`[context-lens] ${topic} view failed`, err);
    }
  }
}
