export interface TestCounts {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
  todo: number;
  /** Tests that ran: all but the skipped ones. */
  ran: number;
}
export function countTests(output: string): TestCounts | undefined;
