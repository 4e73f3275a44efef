/** Placeholder of the contract commit: its helper replaces it (a run before then fails, never passes). */
import type { StressContext } from '../context';

export const families = ['hostile-cli'] as const;

export async function run(_c: StressContext): Promise<void> {
  throw new Error('not built yet');
}
