/**
 * The panel's unit (issue 12's Pieces / Words switch) as WebviewPersistedState keeps it: read by the same
 * rule in the webview (its own state after a reload) and in the host (MapPanel.restore), pure for the tests.
 */
import type { MapUnit } from '../protocol';

/** 'words' when the saved state says so; anything else (absent, malformed, an older version's state) is 'pieces'. */
export function savedUnit(raw: unknown): MapUnit {
  return raw && typeof raw === 'object' && (raw as { unit?: unknown }).unit === 'words' ? 'words' : 'pieces';
}

/** A unit a message names, or undefined when it names none. */
export function readUnit(value: unknown): MapUnit | undefined {
  return value === 'words' || value === 'pieces' ? value : undefined;
}
