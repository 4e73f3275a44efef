/** Placeholder of the contract commit: its helper replaces it (a run before then fails, never passes). */
import type { HostStressContext } from './context';

export async function run(_c: HostStressContext): Promise<void> {
  throw new Error('not built yet');
}
