/** What each extension-host part of the campaign is handed (it runs inside VS Code: `vscode` is there). */
import type { FamilyRecorder, FamilyName } from '../record';

export interface HostStressContext {
  quick: boolean;
  /** Whether `family` was asked for (`--only`). */
  wants(family: FamilyName): boolean;
  family(family: FamilyName): FamilyRecorder;
  log(line: string): void;
  /** A folder this run may write files into (opened as documents, …); removed afterwards. */
  scratch: string;
}
