/**
 * Rapid use, in the extension host (issue 14 item 5; the layer slider part is the webview's, stress/families/webview.ts):
 *
 * 1. Explore / Add Selection fired in bursts (100 in 20 s; quick: 20 in 4 s) over different paragraphs, none awaited
 *    before the next: a newer Explore supersedes what was given before it, so the map ends as exactly the last
 *    Explore and the Adds after it (texts, order, analyses, what the panel was sent and projected), no error is
 *    shown for the superseded ones, no progress stays open, and every analyze call sent to the engine ends as a
 *    result shown, a result dropped (and released), or a call cancelled in the worker.
 * 2. Hovers moving across a 2,000-token file as VS Code's hover controller moves them (each new position cancels
 *    the request before it; contextLens._hover / _cancelHover): every hover shown names the token under its own
 *    position, and none takes longer than the slowest idle hover (hovers one at a time, measured first) plus one
 *    forward (one analysis of a hover's context, measured the same way).
 *
 * The engine traffic is counted on the real worker_threads messages (the extension's Worker lives in this same
 * process), as test/inhost/hoverCancel.suite.ts watches it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { expect } from '../record';
import type { HostStressContext } from './context';

const EXTENSION_ID = 'context-lens.context-lens';

const SIZES = {
  quick: { commands: 20, seconds: 4, fileTokens: 2000, idleHovers: 60, forwards: 6, movingHovers: 60 },
  full: { commands: 100, seconds: 20, fileTokens: 2000, idleHovers: 300, forwards: 10, movingHovers: 300 },
};

/** Words of the demo model's vocabulary (assets/demo-model/vocab.txt): each is one token, so a text made of them has a known token count. */
const WORDS = 'the a an i you he she it we they is am are was be to of and in on for with my your this that phone apple apples eat ate like likes good bad very new old buy bought use computer book books read learn work home friend friends water tea rice today tomorrow big small not have has do does cat dog run running play bank river money sat by put cafe'.split(' ');
const HAN = '苹果手机吃我的了很好你他她是在有不这个们中国人大小天今明电脑喜欢买新旧贵便宜用看书学习工作家朋友水茶饭爱甜红树上河边银行钱存';
const PUNCT = ['.', ',', '!', '?', ';'];

type CommandId = 'contextLens.exploreSelection' | 'contextLens.addSelectionToMap';
interface Counts { given: number; shown: number; superseded: number; cancelled: number; failed: number; dropped: number; computing: number }
interface MapProbe {
  counts: Counts;
  snippets: { id: string; label: string; text: string; analyzedText?: string; tokens?: number }[];
  panel?: { postedSnippetIds: string[]; projectedSnippetIds?: string[]; projecting: boolean };
}
interface HoverProbe { shown: boolean; range?: [number, number]; markdown?: string }

/** Scheduling noise allowed on top of the hover bound (see movingHovers). */
const NOISE_MS = 50;

export async function run(c: HostStressContext): Promise<void> {
  if (!c.wants('rapid')) return;
  const rec = c.family('rapid');
  const size = c.quick ? SIZES.quick : SIZES.full;
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  await ext.activate();
  // The parts before this one leave editors and the map panel open, maybe in the first column: a panel
  // revealed over the commands' editor would take the selection away from them. Start from an empty window.
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const traffic = watchEngine();
  try {
    const late: string[] = [];
    await rec.run(`${size.commands} Explore / Add Selection in ${size.seconds} s · only the last result shown`, 'host', (size.seconds + 60) * 1000, () => rapidCommands(c, size, traffic, late));
    await rec.run('an Explore superseded mid-forward leaves no analysis held in the engine', 'host', 30_000, () => supersededMidForward(c, traffic, late));
    await vscode.commands.executeCommand('contextLens.clearMap');
    await rec.run(`${size.movingHovers} hovers moving across a ${size.fileTokens}-token file · none stale, none queued`, 'host', (c.quick ? 180 : 480) * 1000, async () => {
      try {
        return await movingHovers(c, size);
      } catch (e) {
        // On 2 shared cores a single stall of 50–100 ms can put one hover past a bound of a few ms; hovers that
        // queue behind each other fail every round. Time alone gets one more round (said in the notes).
        if (!(e instanceof Error && e.message.startsWith('a moving hover took'))) throw e;
        rec.note(`moving hovers: the first round failed on time alone (${e.message}); measured again`);
        return await movingHovers(c, size);
      }
    });
  } finally {
    traffic.restore();
    await vscode.commands.executeCommand('contextLens.clearMap');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }
}

// ---- 1. Explore / Add in bursts ----

async function rapidCommands(c: HostStressContext, size: (typeof SIZES)['quick'], traffic: EngineTraffic, late: string[]): Promise<string> {
  const rec = c.family('rapid');
  const random = seeded(14);
  // Paragraphs of different lengths, one of them longer than the demo model reads at once (analyzed in windows).
  const paragraphs = Array.from({ length: 10 }, (_, i) => sentenceText(random, i === 3 ? 300 : 8 + Math.floor(random() * 50)));
  const file = join(c.scratch, 'rapid-commands.txt');
  writeFileSync(file, paragraphs.join('\n\n') + '\n');
  const doc = await vscode.workspace.openTextDocument(file);
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
  const selections = paragraphs.map((p) => {
    const start = doc.getText().indexOf(p);
    return new vscode.Selection(doc.positionAt(start), doc.positionAt(start + p.length));
  });

  // The plan: Explore first, then Explore or Add at random over random paragraphs; the last Explore is followed by Adds.
  const plan = Array.from({ length: size.commands }, (_, i) => ({
    command: (i === 0 || i === size.commands - 4 || (i < size.commands - 4 && random() < 0.35) ? 'contextLens.exploreSelection' : 'contextLens.addSelectionToMap') as CommandId,
    paragraph: Math.floor(random() * paragraphs.length),
  }));
  const lastExplore = plan.map((p) => p.command).lastIndexOf('contextLens.exploreSelection');
  const expected = plan.slice(lastExplore).map((p) => paragraphs[p.paragraph]);

  await vscode.commands.executeCommand('contextLens.clearMap');
  await vscode.commands.executeCommand('contextLens._lastError', true);
  const before = await probeMap();
  const sentBefore = traffic.snapshot();

  // Bursts of 1–5 commands back to back, the bursts spread evenly over the time given.
  const bursts: number[] = [];
  for (let n = 0; n < plan.length; ) {
    const k = Math.min(plan.length - n, 1 + Math.floor(random() * 5));
    bursts.push(k);
    n += k;
  }
  const fired: Thenable<unknown>[] = [];
  const t0 = performance.now();
  let i = 0;
  for (const [b, k] of bursts.entries()) {
    await sleep(Math.max(0, (b * size.seconds * 1000) / bursts.length - (performance.now() - t0)));
    for (let j = 0; j < k; j++, i++) {
      editor.selection = selections[plan[i].paragraph];
      fired.push(vscode.commands.executeCommand(plan[i].command));
      // The command reads the selection when it starts: the next selection only once it has taken this one.
      await until(`command ${i + 1} to start`, 5000, async () => (await probeMap()).counts.given > before.counts.given + i);
    }
  }
  const firedInMs = performance.now() - t0;
  await Promise.all(fired);
  // Settled: every analysis ended (no progress notification open), and the panel's projection is in.
  const after = await until('the map to settle', 30_000, async () => {
    const m = await probeMap();
    return m.counts.computing === 0 && m.panel && !m.panel.projecting ? m : undefined;
  });

  const d = diff(after.counts, before.counts);
  const engine = traffic.since(sentBefore);
  const analyze = engine.byMethod('analyze');
  const project = engine.byMethod('project');
  rec.figure('commands fired', d.given);
  rec.figure('commands fired in (s)', round1(firedInMs / 1000));
  rec.figure('commands shown', d.shown);
  rec.figure('commands superseded', d.superseded);
  rec.figure('commands superseded after their analysis came back (released)', d.dropped);
  rec.figure('analyze calls sent', analyze.sent);
  rec.figure('analyze calls completed', analyze.results);
  rec.figure('analyze calls cancelled', analyze.cancelled);
  rec.figure('project calls sent / cancelled', `${project.sent} / ${project.cancelled}`);

  expect(d.given === plan.length, `${d.given} commands started, ${plan.length} fired`);
  expect(d.failed === 0 && d.cancelled === 0, `${d.failed} failed, ${d.cancelled} cancelled (nothing was cancelled by the user)`);
  expect(d.shown + d.superseded === plan.length, `${d.shown} shown + ${d.superseded} superseded ≠ ${plan.length} commands`);
  const lastError = await vscode.commands.executeCommand<{ code: string; message: string } | undefined>('contextLens._lastError');
  expect(lastError === undefined, `an error was shown: ${lastError?.code}: ${lastError?.message}`);
  expect(after.counts.computing === 0, `${after.counts.computing} progress notification(s) still open`);

  const texts = after.snippets.map((s) => s.text);
  expect(
    texts.length === expected.length && texts.every((t, k) => t === expected[k]),
    `the map holds ${texts.length} snippet(s) [${texts.map(shortText).join(' | ')}], the last Explore and the Adds after it give ${expected.length} [${expected.map(shortText).join(' | ')}]`,
  );
  const unanalyzed = after.snippets.filter((s) => s.analyzedText !== s.text || !s.tokens);
  expect(unanalyzed.length === 0, `${unanalyzed.length} snippet(s) without their own analysis: ${unanalyzed.map((s) => s.label).join(', ')}`);
  const ids = after.snippets.map((s) => s.id);
  const panel = after.panel!;
  expect(sameList(panel.postedSnippetIds, ids), `the panel was last sent snippets [${panel.postedSnippetIds.join(', ')}], the map holds [${ids.join(', ')}]`);
  expect(panel.projectedSnippetIds !== undefined && sameSet(panel.projectedSnippetIds, ids), `the map's points belong to [${panel.projectedSnippetIds?.join(', ') ?? 'no projection'}], the map holds [${ids.join(', ')}]`);
  // Every analyze call sent ended as a result shown, a result dropped (superseded after it was computed), or a cancel.
  expect(analyze.sent === analyze.results + analyze.errors, `${analyze.sent} analyze calls sent, ${analyze.results + analyze.errors} answered`);
  // Each superseded command was cancelled in the worker, or dropped (and released) when its result came back first, or never reached the engine.
  expect(analyze.sent === d.shown + d.dropped + analyze.cancelled, `analyze calls: ${analyze.sent} sent, but ${d.shown} shown + ${d.dropped} dropped + ${analyze.cancelled} cancelled`);
  expect(analyze.cancelled + d.dropped <= d.superseded, `${analyze.cancelled} analyze calls cancelled and ${d.dropped} results dropped, but only ${d.superseded} commands superseded: a live command's work was thrown away`);
  late.push(...analyze.lateAnalysisIds);
  return `${d.shown} shown, ${d.superseded} superseded (${analyze.cancelled} analyze calls cancelled in the worker)`;
}

/**
 * An Explore superseded while its forward runs: the worker reads the cancel only after the forward has started
 * (it cannot stop it) and must not keep the analysis it finishes: the host never learns its id, so no one could
 * release it. Five times on purpose, plus whatever the burst above left.
 */
async function supersededMidForward(c: HostStressContext, traffic: EngineTraffic, late: string[]): Promise<string> {
  const rec = c.family('rapid');
  const editor = vscode.window.activeTextEditor;
  expect(editor, 'no editor open (the commands case opens one)');
  const doc = editor.document;
  editor.selection = new vscode.Selection(doc.positionAt(0), doc.lineAt(0).range.end);
  let cancelled = 0;
  for (let round = 0; round < 5; round++) {
    const mark = traffic.snapshot();
    const first = vscode.commands.executeCommand('contextLens.exploreSelection');
    await traffic.whenSent('analyze');
    await Promise.all([first, vscode.commands.executeCommand('contextLens.exploreSelection')]);
    const a = traffic.since(mark).byMethod('analyze');
    cancelled += a.cancelled;
    late.push(...a.lateAnalysisIds);
  }
  const kept = await vscode.commands.executeCommand<string[]>('contextLens._heldAnalyses', late, true);
  rec.figure('analyze calls finished by the worker after their cancel', late.length);
  rec.figure('of them, analyses the engine kept', kept.length);
  expect(cancelled >= 5, `only ${cancelled} of 5 superseded Explores had their analyze call cancelled`);
  expect(kept.length === 0, `the engine still holds ${kept.length} of the ${late.length} analyses it finished after their cancel (${kept.slice(0, 5).join(', ')}): no one can release them (the worker finished them before it read the cancel, or after it without looking: src/extension/engineClient.ts drops a reply for a cancelled call, src/engine/session.ts analyzeNow stores an analysis whose call was cancelled)`);
  return `${late.length} finished after the cancel, none kept`;
}

// ---- 2. Hovers moving across a long file ----

async function movingHovers(c: HostStressContext, size: (typeof SIZES)['quick']): Promise<string> {
  const rec = c.family('rapid');
  const random = seeded(2000);
  const { text, pieces } = hoverFile(random, size.fileTokens);
  const file = join(c.scratch, 'rapid-hover.txt');
  writeFileSync(file, text);
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
  const uri = doc.uri.toString();
  const hoverAt = (piece: Piece, key: string): Thenable<HoverProbe> => {
    const p = doc.positionAt(piece.start);
    return vscode.commands.executeCommand<HoverProbe>('contextLens._hover', uri, p.line, p.character, key);
  };
  const stale: string[] = [];
  const check = (piece: Piece, h: HoverProbe, where: string): void => {
    if (!h.shown) return;
    // MarkdownString.appendText escapes Markdown's punctuation ('!' → '\!'): read it back as text.
    const shownText = h.markdown?.replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1');
    if (!h.range || h.range[0] !== piece.start || h.range[1] !== piece.end || !shownText?.includes(`“${piece.text}”`)) {
      stale.push(`${where}: at “${piece.text}” [${piece.start}, ${piece.end}) the hover showed ${h.range ? `[${h.range[0]}, ${h.range[1]}) “${text.slice(h.range[0], h.range[1])}”` : 'no range'}`);
    }
  };

  // The model loaded and warm: the first hover loads it (a local folder loads quietly).
  await hoverAt(pieces[0], 'warm');
  // The registered provider, through VS Code's own command, agrees with the probe.
  for (const piece of [pieces[1], pieces[Math.floor(pieces.length / 2)], pieces[pieces.length - 2]]) {
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(piece.start))) ?? [];
    const ours = hovers.find((h) => h.contents.some((m) => (typeof m === 'string' ? m : m.value).includes('Context Lens')));
    expect(ours?.range, `vscode.executeHoverProvider showed no Context Lens hover at “${piece.text}”`);
    check(piece, { shown: true, range: [doc.offsetAt(ours.range.start), doc.offsetAt(ours.range.end)], markdown: ours.contents.map((m) => (typeof m === 'string' ? m : m.value)).join('\n') }, 'executeHoverProvider');
  }

  // Rounds of [idle hovers, single forwards, moving hovers]: both sides of the comparison sample the machine's load
  // (2 cores shared with other jobs: 10–30 ms stalls) over the same stretch of time.
  const rounds = c.quick ? 3 : 5;
  const idle: number[] = [];
  const forwards: number[] = [];
  const turnsBefore = await vscode.commands.executeCommand<{ started: number; skipped: number }>('contextLens._hoverTurns');
  const dwellMs = [0, 0, 1, 2, 4, 8, 15, 40];
  const stride = Math.max(1, Math.floor(pieces.length / size.movingHovers));
  const moving: { piece: Piece; t0: number; ms?: number; probe?: HoverProbe; cancelledAt?: number; dwell?: number }[] = [];
  const settled: Promise<void>[] = [];
  for (let round = 0; round < rounds; round++) {
    const share = (n: number, k: number): number => Math.floor((n * (k + 1)) / rounds) - Math.floor((n * k) / rounds);
    // Idle: one at a time, spread over the file (twice as many as the moving hovers that will be shown, about).
    for (let j = 0, i0 = idle.length; j < share(size.idleHovers, round); j++) {
      const i = i0 + j;
      const piece = pieces[Math.floor(((i + 0.5) * pieces.length) / size.idleHovers)];
      const t0 = performance.now();
      const h = await hoverAt(piece, `idle${i}`);
      idle.push(performance.now() - t0);
      expect(h.shown, `the idle hover at “${piece.text}” (offset ${piece.start}) showed nothing`);
      check(piece, h, `idle hover ${i}`);
    }
    // One forward: one analysis of a hover's context (400 characters around it, as the hover takes its paragraph).
    for (let j = 0, i0 = forwards.length; j < share(size.forwards, round); j++) {
      const at = pieces[Math.floor(((i0 + j + 0.5) * pieces.length) / size.forwards)].start;
      const from = Math.max(0, at - 200);
      forwards.push(await vscode.commands.executeCommand<number>('contextLens._forwardMs', text.slice(from, from + 400)));
    }
    // Moving: a new position every 0–40 ms along the file, each cancelling the request before it; the round's last one rests.
    const n = share(size.movingHovers, round);
    for (let j = 0; j < n; j++) {
      const i = moving.length;
      const piece = pieces[(i * stride) % pieces.length];
      const m: (typeof moving)[number] = { piece, t0: performance.now() };
      moving.push(m);
      settled.push(
        Promise.resolve(hoverAt(piece, `move${i}`)).then((h) => {
          m.ms = performance.now() - m.t0;
          m.probe = h;
        }),
      );
      if (j === n - 1) break;
      m.dwell = dwellMs[Math.floor(random() * dwellMs.length)];
      await sleep(m.dwell);
      m.cancelledAt = performance.now();
      await vscode.commands.executeCommand('contextLens._cancelHover', `move${i}`);
    }
    await Promise.all(settled);
  }
  const idleMax = Math.max(...idle);
  // One forward as the machine ran it then: the slowest of the measured ones (the median is reported too).
  const forward = Math.max(...forwards);
  await Promise.all(settled);
  const turnsAfter = await vscode.commands.executeCommand<{ started: number; skipped: number }>('contextLens._hoverTurns');
  moving.forEach((m, i) => check(m.piece, m.probe!, `moving hover ${i}`));
  const shown = moving.filter((m) => m.probe?.shown);
  const movingMax = Math.max(...shown.map((m) => m.ms!));
  // A cancelled hover lets go at once (it does not wait for the forward it may have started).
  const letGo = moving.filter((m) => !m.probe?.shown && m.cancelledAt !== undefined).map((m) => m.t0 + m.ms! - m.cancelledAt!);

  const slowest = moving.map((m, i) => ({ ...m, i })).filter((m) => m.probe?.shown).sort((a, b) => b.ms! - a.ms!).slice(0, 5);
  c.log(`rapid: slowest moving hovers: ${slowest.map((m) => `#${m.i} ${Math.round(m.ms!)} ms (dwell ${m.dwell ?? 'last'}, before it ${moving[m.i - 1]?.dwell ?? '–'})`).join(', ')}; idle ${idle.map(Math.round).join(' ')}; forwards ${forwards.map(round1).join(' ')}`);
  rec.figure('hover file tokens', pieces.length);
  rec.figure('hover idle max (ms)', Math.round(idleMax));
  rec.figure('hover idle median (ms)', Math.round(median(idle)));
  rec.figure('forward, median (ms)', round1(median(forwards)));
  rec.figure('forward, slowest measured (ms)', round1(forward));
  rec.figure('hover moving max (ms)', Math.round(movingMax));
  rec.figure('hovers moving: shown / cancelled', `${shown.length} / ${moving.length - shown.length}`);
  rec.figure('hover engine calls started / skipped while waiting', `${turnsAfter.started - turnsBefore.started} / ${turnsAfter.skipped - turnsBefore.skipped}`);
  if (letGo.length) rec.figure('cancelled hover let go in, max (ms)', Math.round(Math.max(...letGo)));

  expect(stale.length === 0, `${stale.length} stale hover(s): ${stale.slice(0, 3).join('; ')}`);
  expect(moving.every((m) => m.cancelledAt !== undefined || m.probe?.shown), 'a hover the mouse stopped on showed nothing');
  expect(shown.length >= moving.length / 10, `only ${shown.length} of ${moving.length} moving hovers were shown: the case measured too few`);
  // The demo model's forward (2–8 ms) is below this machine's scheduling noise: the bound allows NOISE_MS more.
  // What the bound guards against, hovers queueing behind each other, is pinned without timing by
  // test/unit/rapidUse.test.ts; with a real model (a forward of 50–150 ms) one forward dwarfs the allowance.
  expect(movingMax <= idleMax + forward + NOISE_MS, `a moving hover took ${Math.round(movingMax)} ms: more than the slowest idle hover (${Math.round(idleMax)} ms) plus one forward (${round1(forward)} ms) plus ${NOISE_MS} ms of scheduling noise`);
  return `${shown.length} shown, ${moving.length - shown.length} cancelled; max ${Math.round(movingMax)} ms ≤ ${Math.round(idleMax)} + ${round1(forward)} ms`;
}

interface Piece { text: string; start: number; end: number }

/** A file of `tokens` pieces of the demo vocabulary, lines of ~12 pieces, no blank line (the hover takes 400 characters around it). */
function hoverFile(random: () => number, tokens: number): { text: string; pieces: Piece[] } {
  const pieces: Piece[] = [];
  let text = '';
  while (pieces.length < tokens) {
    for (let k = 0; k < 12 && pieces.length < tokens; k++) {
      const r = random();
      const piece = r < 0.25 ? HAN[Math.floor(random() * HAN.length)] : r < 0.33 ? PUNCT[Math.floor(random() * PUNCT.length)] : WORDS[Math.floor(random() * WORDS.length)];
      if (text && !text.endsWith('\n')) text += ' ';
      pieces.push({ text: piece, start: text.length, end: text.length + piece.length });
      text += piece;
    }
    text += '\n';
  }
  return { text, pieces };
}

/** A sentence-like text of about `words` demo-vocabulary words, with some Chinese. */
function sentenceText(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    if (random() < 0.2) out.push(Array.from({ length: 2 + Math.floor(random() * 4) }, () => HAN[Math.floor(random() * HAN.length)]).join(''));
    else out.push(WORDS[Math.floor(random() * WORDS.length)]);
    if (i % 9 === 8) out.push('.');
  }
  return out.join(' ');
}

// ---- the engine's traffic ----

interface MethodTraffic {
  sent: number;
  results: number;
  errors: number;
  cancelled: number;
  /** Calls the host cancelled that the worker answered with a result all the same. */
  lateResults: number;
  /** Their analyses (analyze calls): the host never learns these ids, so it cannot release them. */
  lateAnalysisIds: string[];
}
interface EngineTraffic {
  snapshot(): number;
  /** Resolves as soon as a call of `method` is posted to the worker. */
  whenSent(method: string): Promise<void>;
  since(index: number): { byMethod(method: string): MethodTraffic };
  restore(): void;
}

/** Counts the calls the extension sends to its engine worker, their cancels and their answers (results, errors). */
function watchEngine(): EngineTraffic {
  type Event = { kind: 'call' | 'cancel' | 'result' | 'error'; id: number; method?: string; analysisId?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const proto = Worker.prototype as unknown as { postMessage: (this: Worker, ...a: any[]) => void; emit: (this: Worker, ...a: any[]) => boolean };
  const ownPost = Object.getOwnPropertyDescriptor(proto, 'postMessage');
  const ownEmit = Object.getOwnPropertyDescriptor(proto, 'emit');
  const post = proto.postMessage;
  const emit = proto.emit;
  const events: Event[] = [];
  const waiting: { method: string; resolve: () => void }[] = [];
  proto.postMessage = function (this: Worker, message: { kind?: string; id?: number; method?: string }, ...rest: unknown[]) {
    if (message && (message.kind === 'call' || message.kind === 'cancel') && typeof message.id === 'number') events.push({ kind: message.kind, id: message.id, method: message.method });
    const result = post.call(this, message, ...rest);
    for (const w of waiting.filter((x) => message?.kind === 'call' && x.method === message.method)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
    return result;
  };
  proto.emit = function (this: Worker, event: string, ...args: unknown[]) {
    const m = args[0] as { kind?: string; id?: number; value?: { analysisId?: unknown } } | undefined;
    if (event === 'message' && m && (m.kind === 'result' || m.kind === 'error') && typeof m.id === 'number') {
      const analysisId = typeof m.value?.analysisId === 'string' ? m.value.analysisId : undefined;
      events.push({ kind: m.kind, id: m.id, ...(analysisId ? { analysisId } : {}) });
    }
    return emit.call(this, event, ...args);
  };
  return {
    snapshot: () => events.length,
    whenSent: (method) => new Promise<void>((resolve) => waiting.push({ method, resolve })),
    since: (index) => ({
      byMethod(method) {
        const slice = events.slice(index);
        const ids = new Set(slice.filter((e) => e.kind === 'call' && e.method === method).map((e) => e.id));
        const of = (kind: Event['kind']) => new Set(slice.filter((e) => e.kind === kind && ids.has(e.id)).map((e) => e.id));
        const cancelled = of('cancel');
        const results = of('result');
        const late = slice.filter((e) => e.kind === 'result' && ids.has(e.id) && cancelled.has(e.id));
        return {
          sent: ids.size,
          results: results.size,
          errors: of('error').size,
          cancelled: cancelled.size,
          lateResults: late.length,
          lateAnalysisIds: late.flatMap((e) => (e.analysisId ? [e.analysisId] : [])),
        };
      },
    }),
    restore() {
      if (ownPost) Object.defineProperty(proto, 'postMessage', ownPost);
      else delete (proto as { postMessage?: unknown }).postMessage;
      if (ownEmit) Object.defineProperty(proto, 'emit', ownEmit);
      else delete (proto as { emit?: unknown }).emit;
    },
  };
}

// ---- helpers ----

function probeMap(): Thenable<MapProbe> {
  return vscode.commands.executeCommand<MapProbe>('contextLens._mapCommands');
}

function diff(a: Counts, b: Counts): Counts {
  return { given: a.given - b.given, shown: a.shown - b.shown, superseded: a.superseded - b.superseded, cancelled: a.cancelled - b.cancelled, failed: a.failed - b.failed, dropped: a.dropped - b.dropped, computing: a.computing };
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined | false>): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** mulberry32: the same plan on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const shortText = (t: string): string => (t.length > 16 ? `${t.slice(0, 15)}…` : t);
const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sameSet = (a: string[], b: string[]): boolean => sameList([...a].sort(), [...b].sort());
