/** An AnalysisSession with the demo model (fp32, CPU) loaded before a test file's tests and disposed after them, in a cache folder of its own. */
import { before, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisSession } from '../../../src/engine/session';
import { FIXTURE_MODEL } from './fixture';

export function demoSession(name: string): AnalysisSession {
  const cacheDir = mkdtempSync(join(tmpdir(), `context-lens-${name}-`));
  const session = new AnalysisSession();
  before(async () => {
    await session.load({ model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir });
  });
  after(async () => {
    await session.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  return session;
}
