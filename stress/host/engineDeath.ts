/**
 * engine-death, its extension-host part: the engine worker ended abruptly (contextLens._killEngine: the
 * thread terminated as a crash ends it, not through restart()) while Explore's analysis, the map's
 * projection or the masked-guess stream after the map shows is in flight. What the user sees is read
 * through the internal hooks: one error message (contextLens._engine's messagesShown and deathsTold, and
 * contextLens._lastError's code), no progress notification left open, a status bar that is not busy; then
 * Explore again starts a new engine by itself and puts the snippet on the map.
 */
import * as vscode from 'vscode';
import { expect } from '../record';
import type { HostStressContext } from './context';
import { activateExtension, closeEditors, type EngineSnapshot, engineSnapshot, focusSelected, lastError, mapSnippets, openSelected, setting, until, wanted } from './extensionDriver';

const TEXT = '我用苹果手机。我爱吃苹果。the river bank is green .';
/** Explore on the demo model, a death, and Explore again: a few seconds; a hang must show as a failure, not stall the run. */
const BOUND_MS = 45_000;

/** The request in flight when the worker dies ('idle': none, between requests). */
type Killed = 'load' | 'analyze' | 'project' | 'guesses' | 'idle';
const WHERE: Record<Killed, string> = { load: "Explore's model load", analyze: "Explore's analysis", project: "the map's projection", guesses: 'the masked-guess stream', idle: 'no request (between requests)' };
/** --quick: the three the issue names, and the death between requests; full: the model load too. */
const QUICK: readonly Killed[] = ['analyze', 'project', 'guesses', 'idle'];
const FULL: readonly Killed[] = ['load', 'analyze', 'project', 'guesses', 'idle'];

export async function run(c: HostStressContext): Promise<void> {
  const rec = c.family('engine-death');
  await activateExtension();
  const repeats = c.quick ? 1 : 5;
  const maskedGuesses = vscode.workspace.getConfiguration('contextLens').get('maskedGuesses');
  try {
    await setting('maskedGuesses', 'all');
    for (let i = 1; i <= repeats; i++) {
      for (const killed of c.quick ? QUICK : FULL) {
        const name = `Explore, killed ${killed === 'idle' ? 'while idle' : `mid ${killed}`} · ${i}`;
        if (!wanted(name)) continue;
        await rec.run(name, 'host', BOUND_MS, () => killDuring(killed).finally(() => vscode.commands.executeCommand('contextLens._killEngine', 'disarm')));
      }
    }
  } finally {
    await setting('maskedGuesses', maskedGuesses);
    await closeEditors();
  }
}

async function killDuring(killed: Killed): Promise<string> {
  await closeEditors();
  const { document } = await openSelected(TEXT);
  // A loaded model and a map first: the death then hits the request itself, not the model's load.
  await vscode.commands.executeCommand('contextLens.exploreSelection');
  const first = await lastError();
  expect(!first, `the Explore before the death failed: ${first?.code} ${first?.message}`);
  expect((await settled()).running, 'no engine running after a good Explore');
  if (killed === 'load') {
    // An engine without the model: the next Explore loads it, and the death hits that load.
    const idle = await engineSnapshot();
    await vscode.commands.executeCommand('contextLens._killEngine');
    await deathAfter(idle, 'the death between requests');
    await lastError();
  }
  const before = await settled();

  if (killed === 'idle') await vscode.commands.executeCommand('contextLens._killEngine');
  else {
    await focusSelected(document);
    await vscode.commands.executeCommand('contextLens._killEngine', killed);
    await vscode.commands.executeCommand('contextLens.exploreSelection');
  }
  // Explore resolves when its analysis is over; the projection and the stream come after: wait for the death.
  const dead = await deathAfter(before, `the death during ${WHERE[killed]}`);
  // Whatever was still waiting on the dead worker (the panel's requests, the hover, the stream) fails now: give it time to say so.
  const after = await settled();
  const err = await lastError();
  expect(after.deathsTold === before.deathsTold + 1, `the death was told ${after.deathsTold - before.deathsTold} times`);
  expect(after.messagesShown === before.messagesShown + 1, `${after.messagesShown - before.messagesShown} messages shown for one death (one expected)`);
  expect(err?.code === 'ENGINE_STOPPED', `the message shown: ${err ? `${err.code} ${err.message}` : 'none'} (ENGINE_STOPPED expected)`);
  expect(/run the command again/.test(err.message), `the message says no next step: ${err.message}`);
  expect(after.openProgress === 0, `${after.openProgress} progress notification(s) still open`);
  expect(!after.statusBusy, `the status bar still says "${after.status}"`);
  expect(after.status === 'error', `the status bar says "${after.status}", not the error`);
  expect(!dead.modelLoaded, 'the model still counts as loaded after its engine died');

  // The next request starts a new engine by itself, and succeeds.
  await focusSelected(document);
  await vscode.commands.executeCommand('contextLens.exploreSelection');
  const again = await lastError();
  expect(!again, `Explore after the death failed: ${again?.code} ${again?.message}`);
  const snippets = await mapSnippets();
  expect(snippets.length === 1 && (snippets[0].tokens?.length ?? 0) > 0 && snippets[0].textLength === TEXT.length, `the map after the restart: ${JSON.stringify(snippets.map((s) => ({ textLength: s.textLength, tokens: s.tokens?.length })))}`);
  const restarted = await settled();
  // A killed load took the engine it had started with it: two engines since then.
  const started = killed === 'load' ? 2 : 1;
  expect(restarted.running && restarted.workersStarted === before.workersStarted + started, `${restarted.workersStarted - before.workersStarted} engines started after the death (running: ${restarted.running}), not ${started}`);
  expect(restarted.status === 'ready', `the status bar says "${restarted.status}" after the restart`);
  expect(restarted.messagesShown === after.messagesShown, `${restarted.messagesShown - after.messagesShown} more messages after the restart`);
  return `told once, restarted (${WHERE[killed]})`;
}

function deathAfter(before: EngineSnapshot, what: string): Promise<EngineSnapshot> {
  return until(`${what} to be told`, async () => {
    const s = await engineSnapshot();
    return s.deathsTold > before.deathsTold ? s : undefined;
  }, 20_000);
}

/** Waits until nothing is in flight (no call pending, no progress open, the status not busy), then a little more. */
async function settled(): Promise<EngineSnapshot> {
  await until('the engine to go quiet', async () => {
    const s = await engineSnapshot();
    return s.pendingCalls === 0 && s.openProgress === 0 && !s.statusBusy ? s : undefined;
  }, 30_000);
  await new Promise((r) => setTimeout(r, 300));
  return engineSnapshot();
}
