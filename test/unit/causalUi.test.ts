// The pure parts of the causal-model UI (issue 13): the surprisal scale, a causal analysis's TokenView
// fields, the hover's content (byte-split characters, the logit lens), the chips' byte parts, the Choose
// Model list, and that no masked-guess stream runs for a causal model.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Guess } from '../../src/engine/types';
import type { AnalysisSummary, EngineMethods } from '../../src/engine/workerProtocol';
import { hubCacheDirFor } from '../../src/engine/modelStore';
import type { LayerGuessesResult } from '../../src/protocol';
import { causalHoverContent, causalTokenAt } from '../../src/extension/causalHoverContent';
import { MaskedGuessStream, type GuessStreamContext } from '../../src/extension/guessStream';
import type { MapSnippet } from '../../src/extension/mapState';
import { cachedConfigPath, downloadMb, formatMb, MODEL_CHOICES } from '../../src/extension/modelChoices';
import { causalTokenFields } from '../../src/extension/panel/causalTokens';
import { bytePart, causalFacts, characterProbability, displayGuessToken, isCausalView, sameToken } from '../../webview/causal/causalFacts';
import { formatBits, SURPRISAL_BINS, SURPRISAL_EDGES, surprisalBin, surprisalBinLabel, surprisalBits } from '../../webview/causal/surprisal';
import { join } from 'node:path';

const g = (token: string, probability: number, id = 0): Guess => ({ token, probability, id });

/**
 * "The cat sat" then 苹 as two byte tokens (both covering the character), as a GPT-2 analysis gives it:
 * next[i] the guesses after token i; guesses[i] = next[i − 1]; tokenProbabilities[0] null.
 */
function gptSummary(over: Partial<AnalysisSummary> = {}): AnalysisSummary {
  const text = 'The cat sat 苹';
  const tokens = [
    { index: 0, id: 464, piece: 'The', start: 0, end: 3, special: false },
    { index: 1, id: 3797, piece: 'Ġcat', start: 3, end: 7, special: false },
    { index: 2, id: 3332, piece: 'Ġsat', start: 7, end: 11, special: false },
    { index: 3, id: 5525, piece: 'Ġè', start: 12, end: 13, special: false },
    { index: 4, id: 233, piece: 'ĭ', start: 12, end: 13, special: false },
  ];
  const next = [
    [g('Ġfirst', 0.2), g('Ġcat', 0.05)],
    [g('Ġwas', 0.3), g('Ġsat', 0.1)],
    [g('Ġon', 0.5), g('Ġdown', 0.2)],
    // A byte token's guess decodes to U+FFFD: the rank, not the text, finds it.
    [g('\uFFFD', 0.9)],
    [g('Ġ', 0.4)],
  ];
  return {
    analysisId: 'a1',
    text,
    tokens,
    kind: 'causal',
    guesses: [[], ...next.slice(0, -1)],
    next,
    tokenProbabilities: [null, { probability: 0.05, rank: 2 }, { probability: 0.1, rank: 2 }, { probability: 0.001, rank: 812 }, { probability: 0.9, rank: 1 }],
    windowed: false,
    numLayers: 2,
    numHeads: 2,
    hiddenSize: 8,
    timings: {},
    ...over,
  };
}

test('surprisal: −log2 p in bits; 1 bit at p = ½, 0 at p = 1, ∞ at p = 0, NaN off [0, 1]', () => {
  assert.equal(surprisalBits(0.5), 1);
  assert.equal(surprisalBits(0.125), 3);
  assert.equal(Object.is(surprisalBits(1), 0), true, '+0, not −0');
  assert.equal(surprisalBits(0), Infinity);
  for (const bad of [-0.1, 1.5, NaN, Infinity]) assert.ok(Number.isNaN(surprisalBits(bad)), String(bad));
  assert.equal(formatBits(surprisalBits(0.05)), '4.32');
  assert.equal(formatBits(surprisalBits(1e-4)), '13.3');
  assert.equal(formatBits(Infinity), '∞');
  assert.equal(formatBits(NaN), '–');
});

test('surprisal bins: edges exclusive above, the last open, −1 without a probability; monotonic in the surprisal', () => {
  assert.deepEqual([0, 0.99, 1, 2.99, 3, 5.9, 6, 9.99, 10, 14.9, 15, 40, Infinity].map(surprisalBin), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5]);
  assert.equal(surprisalBin(NaN), -1);
  assert.equal(SURPRISAL_BINS, SURPRISAL_EDGES.length + 1);
  assert.deepEqual(Array.from({ length: SURPRISAL_BINS }, (_, i) => surprisalBinLabel(i)), ['0–1', '1–3', '3–6', '6–10', '10–15', '15+']);
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, q) => {
      // A likelier token is never in a higher (more surprising) bin.
      if (p >= q) assert.ok(surprisalBin(surprisalBits(p)) <= surprisalBin(surprisalBits(q)), `${p} vs ${q}`);
    }),
  );
});

test('causalTokenFields: what the model expected here (next at the token before), next, probability and rank; nothing pending', () => {
  const a = gptSummary();
  assert.deepEqual(causalTokenFields(a, 0), { guesses: [], guessesPending: false, next: [{ token: 'Ġfirst', probability: 0.2 }, { token: 'Ġcat', probability: 0.05 }] });
  assert.deepEqual(causalTokenFields(a, 1), {
    guesses: [{ token: 'Ġfirst', probability: 0.2 }, { token: 'Ġcat', probability: 0.05 }],
    guessesPending: false,
    next: [{ token: 'Ġwas', probability: 0.3 }, { token: 'Ġsat', probability: 0.1 }],
    probability: 0.05,
    rank: 2,
  });
  // An engine that leaves `guesses` empty (analyze with guesses: false): read from next[i − 1].
  const bare = gptSummary({ guesses: [[], [], [], [], []] });
  assert.deepEqual(causalTokenFields(bare, 2)?.guesses, [{ token: 'Ġwas', probability: 0.3 }, { token: 'Ġsat', probability: 0.1 }]);
  // The guess ids stay in the engine: the webview gets token and probability only.
  assert.equal(Object.keys(causalTokenFields(a, 2)!.guesses[0]).sort().join(), 'probability,token');
  assert.equal(causalTokenFields(gptSummary({ kind: 'masked' }), 1), undefined, 'a masked model streams its guesses');
});

test('causalFacts: the hit among the expected guesses whatever spells the leading space, the surprisal and its bin', () => {
  const a = gptSummary();
  const facts = causalFacts({ piece: 'Ġcat', ...causalTokenFields(a, 1)! });
  assert.equal(facts.hit, 1);
  assert.equal(facts.rank, 2);
  assert.equal(formatBits(facts.bits!), '4.32');
  assert.equal(facts.bin, 2);
  assert.equal(causalFacts({ piece: 'The', ...causalTokenFields(a, 0)! }).bin, -1, 'the first token has no probability');
  assert.equal(causalFacts({ piece: 'ĭ', ...causalTokenFields(a, 4)! }).hit, 0, 'a byte token found by its rank');
  assert.equal(causalFacts({ piece: 'Ġè', ...causalTokenFields(a, 3)! }).hit, -1, 'rank 812: not among the top k');
  assert.equal(causalFacts({ piece: 'Ġcat', guesses: [g('Ġx', 0.5), g(' cat', 0.1)] }).hit, 1, 'no rank: the text, either spelling of the space');
  assert.ok(sameToken('Ġcat', ' cat'));
  assert.ok(!sameToken('Ġcat', 'cat'));
  assert.equal(displayGuessToken('Ġthe'), '␣the');
  assert.equal(displayGuessToken('Ċ'), '↵');
});

test('bytePart: byte tokens that share a character are its parts; a token with a range of its own is not', () => {
  const tokens = gptSummary().tokens;
  assert.equal(bytePart(tokens, 2), undefined);
  assert.deepEqual(bytePart(tokens, 3), { part: 1, of: 2 });
  assert.deepEqual(bytePart(tokens, 4), { part: 2, of: 2 });
  const views = tokens.map((t, i) => ({ ...t, probability: gptSummary().tokenProbabilities?.[i]?.probability }));
  const whole = characterProbability(views, 3);
  assert.equal(whole?.count, 2);
  assert.ok(Math.abs(whole!.probability - 0.001 * 0.9) < 1e-12, 'the character: the product of its parts');
  assert.equal(characterProbability(views, 4), undefined, 'from its first part only');
  assert.equal(characterProbability(views, 1), undefined, 'a token of its own');
});

test('isCausalView: the model says so; before the model is known, the tokens tell', () => {
  assert.equal(isCausalView({ kind: 'causal' }), true);
  assert.equal(isCausalView({ kind: 'masked' }, { tokens: [{ next: [] } as never] }), false);
  assert.equal(isCausalView(null, { tokens: [{ probability: 0.5 } as never] }), true);
  assert.equal(isCausalView(null, { tokens: [{ guesses: [] } as never] }), false);
});

test('causalHoverContent: expected guesses with the hit, probability, rank, bits, the logit lens line', () => {
  const a = gptSummary();
  assert.equal(causalTokenAt(a, 5), 1);
  assert.equal(causalTokenAt(a, 11), -1, 'the space between "sat" and 苹 is no token’s');
  const lens: LayerGuessesResult = {
    token: a.tokens[0],
    layers: [
      { layer: 0, guesses: [g('Ġthe', 0.1)], finalRank: 9, finalProbability: 0.01 },
      { layer: 1, guesses: [g('Ġfirst', 0.15)], finalRank: 1, finalProbability: 0.15 },
      { layer: 2, guesses: [g('Ġfirst', 0.2)], finalRank: 1, finalProbability: 0.2 },
    ],
    firstLayer: 1,
  };
  const c = causalHoverContent(a, 1, lens)!;
  assert.deepEqual(c.expected, [{ token: 'Ġfirst', probability: 0.2, hit: false }, { token: 'Ġcat', probability: 0.05, hit: true }]);
  assert.equal(c.surface, ' cat');
  assert.equal(c.probability, 0.05);
  assert.equal(c.rank, 2);
  assert.equal(formatBits(c.bits!), '4.32');
  assert.deepEqual(c.lens, { token: 'Ġfirst', firstLayer: 1, finalProbability: 0.2 });
  assert.equal(c.parts, undefined);
  const first = causalHoverContent(a, 0, null)!;
  assert.deepEqual([first.expected, first.probability, first.lens], [[], undefined, undefined]);
});

test('causalHoverContent: a character split into byte tokens: the first part, and the character’s probability as the product of its parts', () => {
  const a = gptSummary();
  assert.equal(causalTokenAt(a, 12), 3, 'the first byte token of 苹');
  const c = causalHoverContent(a, 3, null)!;
  assert.equal(c.surface, '苹');
  assert.equal(c.parts?.count, 2);
  assert.ok(Math.abs(c.parts!.probability - 0.001 * 0.9) < 1e-12);
  assert.equal(causalHoverContent(gptSummary({ kind: 'masked' }), 1, null), undefined);
});

test('MODEL_CHOICES: the suggested models, unique, with their kinds; sizes from parameter counts agree with the Hub’s files', () => {
  const ids = MODEL_CHOICES.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ['Xenova/bert-base-chinese', 'Xenova/bert-base-multilingual-uncased', 'Xenova/bert-base-uncased', 'Xenova/distilbert-base-uncased', 'Xenova/gpt2', 'Xenova/distilgpt2']) {
    assert.ok(ids.includes(id), id);
  }
  const kind = Object.fromEntries(MODEL_CHOICES.map((c) => [c.id, c.kind]));
  assert.equal(kind['Xenova/gpt2'], 'causal');
  assert.equal(kind['Xenova/distilgpt2'], 'causal');
  assert.equal(kind['Xenova/bert-base-chinese'], 'masked');
  assert.equal(MODEL_CHOICES.filter((c) => c.demo).length, 1, 'the bundled demo model once');
  for (const c of MODEL_CHOICES) assert.ok(c.languages.length > 0 && c.paramsM > 0, c.id);
  // The Hub lists Xenova/gpt2's onnx/decoder_model_merged_quantized.onnx at 128 MB and decoder_model_merged.onnx at 501 MB.
  const gpt2 = MODEL_CHOICES.find((c) => c.id === 'Xenova/gpt2')!;
  assert.ok(Math.abs(downloadMb(gpt2, 'q8') - 128) / 128 < 0.1);
  assert.ok(Math.abs(downloadMb(gpt2, 'fp32') - 501) / 501 < 0.1);
  assert.deepEqual([formatMb(0.4), formatMb(124), formatMb(668)], ['< 1 MB', '≈ 124 MB', '≈ 668 MB']);
  assert.equal(formatMb(1200), '≈ 1.2 GB');
});

test('cachedConfigPath follows modelStore’s Hub cache layout', () => {
  assert.equal(cachedConfigPath('/c', 'Xenova/gpt2'), join(hubCacheDirFor('/c', 'Xenova/gpt2', 'main'), 'config.json'));
});

test('MaskedGuessStream: a causal model’s analysis is never streamed (its guesses come from the one forward)', async () => {
  const a = gptSummary({ guesses: [[], [], [], [], []] });
  const snippets: MapSnippet[] = [{ id: 's0', uri: '', label: 'gpt', text: a.text, startOffset: 0, analysis: a }];
  const calls: string[] = [];
  const posted: unknown[] = [];
  const ctx = {
    map: { snippets, get: (id: string) => snippets.find((s) => s.id === id) },
    engine: {
      call: <M extends keyof EngineMethods>(method: M) => {
        calls.push(method);
        return Promise.resolve([]);
      },
    },
    config: { topK: 3, maskedGuesses: 'all' },
    model: { maxTokens: 128 },
    log: { info: () => undefined, warn: (m: string) => assert.fail(m) },
    noteEngineFailure: () => undefined,
  } as unknown as GuessStreamContext;
  const stream = new MaskedGuessStream(ctx, (m) => posted.push(m));
  stream.prioritize({ snippetId: 's0', tokenIndex: 0 });
  stream.start();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(calls, []);
  assert.deepEqual(stream.counts(), { done: 0, total: 0 });
  assert.ok(posted.every((m) => (m as { type: string }).type === 'guessProgress' && (m as { total: number }).total === 0));
});
