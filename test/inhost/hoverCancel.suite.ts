/**
 * Hover cancellation, inside a real extension host: when the hover moves on from token A to token B
 * before A's answer came back, VS Code cancels A's request; A's forward, already running in the engine
 * worker, cannot be stopped, so B's call waits for it to end instead of running beside it (issue 14: a
 * quick mouse must not pile up forwards), then B gets its guesses.
 *
 * VS Code's own hover controller does the moving and the cancelling (`editor.action.showHover` at the
 * cursor, as for a mouse that rests on A and then on B: a new position cancels the operation in flight).
 * The test watches the real traffic between the extension host and the engine worker thread
 * (node:worker_threads Worker.postMessage / its 'message' events — the same Worker class the extension
 * uses, in this same process) and holds back the worker's reply for A, so that A is still in flight
 * when the hover moves — with the fixture model every answer takes only milliseconds, a bert-base
 * model ~100 ms, a long paragraph more. What must happen: no call for B goes to the worker while A's
 * runs; once A's reply comes, B's call goes and is answered; nothing is cancelled in the worker (there is
 * nothing left there to cancel); hovers work afterwards.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { InHostTest } from './index';

const EXTENSION_ID = 'context-lens.context-lens';
const TEXT = '我爱吃苹果。我用苹果手机。';

type Msg = { kind: string; id?: number; method?: string; params?: { offset?: number } };

async function activate(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  if (!process.env.CONTEXT_LENS_MODEL) process.env.CONTEXT_LENS_MODEL = path.join(ext.extensionPath, 'assets', 'demo-model');
  await ext.activate();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until<T>(what: string, f: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Records every message to and from the engine worker; holds back the worker's replies to the calls
 * that `hold` picks until release().
 */
function spyOnEngine(hold: (call: Msg) => boolean) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const proto = Worker.prototype as unknown as { postMessage: (this: Worker, ...a: any[]) => void; emit: (this: Worker, ...a: any[]) => boolean };
  const ownPost = Object.getOwnPropertyDescriptor(proto, 'postMessage');
  const ownEmit = Object.getOwnPropertyDescriptor(proto, 'emit');
  const post = proto.postMessage;
  const emit = proto.emit;
  const sent: Msg[] = [];
  const answered: Msg[] = [];
  const heldIds = new Set<number>();
  const held: { worker: Worker; message: Msg }[] = [];
  let holding = true;
  proto.postMessage = function (this: Worker, message: Msg, ...rest: unknown[]) {
    if (message && typeof message === 'object') {
      sent.push({ kind: message.kind, id: message.id, method: message.method, params: message.params && { offset: message.params.offset } });
      if (holding && message.kind === 'call' && hold(message) && message.id !== undefined) heldIds.add(message.id);
    }
    return post.call(this, message, ...rest);
  };
  proto.emit = function (this: Worker, event: string, ...args: unknown[]) {
    const m = args[0] as Msg | undefined;
    if (event === 'message' && m && (m.kind === 'result' || m.kind === 'error') && m.id !== undefined) {
      if (heldIds.has(m.id)) {
        held.push({ worker: this, message: m });
        return true;
      }
      answered.push({ kind: m.kind, id: m.id });
    }
    return emit.call(this, event, ...args);
  };
  return {
    sent,
    answered,
    held,
    /** Delivers the held replies now (late, as from a slow model) and holds no more. */
    release() {
      holding = false;
      heldIds.clear();
      for (const { worker, message } of held.splice(0)) worker.emit('message', message);
    },
    restore() {
      if (ownPost) Object.defineProperty(proto, 'postMessage', ownPost);
      else delete (proto as { postMessage?: unknown }).postMessage;
      if (ownEmit) Object.defineProperty(proto, 'emit', ownEmit);
      else delete (proto as { emit?: unknown }).emit;
    },
  };
}

/** Puts the cursor at `offset` and asks VS Code's hover controller for a hover there (as a resting mouse would). */
async function hoverAt(editor: vscode.TextEditor, offset: number): Promise<void> {
  const p = editor.document.positionAt(offset);
  editor.selection = new vscode.Selection(p, p);
  await vscode.commands.executeCommand('editor.action.showHover');
}

export const tests: InHostTest[] = [
  {
    name: 'moving the hover on: the new position\'s call waits for the old one\'s forward, then is answered',
    timeoutMs: 90_000,
    run: async () => {
      await activate();
      const doc = await vscode.workspace.openTextDocument({ content: `${TEXT}\n`, language: 'plaintext' });
      const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
      const a = TEXT.indexOf('吃');
      const b = TEXT.lastIndexOf('果');
      // Load the model first (a local folder loads quietly on a first hover): A's call then goes
      // straight to the worker.
      const warm = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(b))) ?? [];
      assert.ok(warm.some((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('%'))), 'the hover works (model loaded)');
      const spy = spyOnEngine((call) => call.method === 'layerGuesses' && call.params?.offset === a);
      try {
        await hoverAt(editor, a);
        const callA = await until('the layerGuesses call for A', () => spy.sent.find((m) => m.kind === 'call' && m.method === 'layerGuesses' && m.params?.offset === a));
        await until("the worker's reply for A (held back)", () => spy.held.length > 0 || undefined);
        await hoverAt(editor, b);
        // A's forward is still "running" (its reply held): B waits for it, it does not run beside it.
        await sleep(500);
        const isCallB = (m: Msg) => m.kind === 'call' && m.method === 'layerGuesses' && m.params?.offset === b;
        assert.equal(spy.sent.some(isCallB), false, "no call for B while A's forward runs");
        spy.release();
        const callB = await until('the layerGuesses call for B', () => spy.sent.find(isCallB));
        const replyB = await until("the worker's reply for B", () => spy.answered.find((m) => m.id === callB.id));
        assert.equal(replyB.kind, 'result', 'B is answered with guesses');
        assert.ok(callB.id! > callA.id!, 'B after A');
        await sleep(300); // B's hover is showing now; nothing may cancel it
        assert.deepEqual(spy.sent.filter((m) => m.kind === 'cancel'), [], 'nothing is cancelled in the worker');

        const after = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(a))) ?? [];
        assert.ok(after.some((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('%'))), 'hovers still work after the late reply');
      } finally {
        spy.restore();
        spy.release();
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    },
  },
];
