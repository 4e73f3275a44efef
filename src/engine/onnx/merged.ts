/**
 * optimum's merged decoder (decoder_model_merged.onnx): the whole model sits inside one If node on the
 * graph input `use_cache_branch`, its `then_branch` the decoder reading `past_key_values`, its
 * `else_branch` the decoder of a first step. The engine always runs without a cache (forward.ts feeds
 * empty pasts), so the edit replaces the If by its else branch: the branch's nodes take the If's place in
 * the main graph (they read initializers and inputs from the outer scope, whose names stay valid), its
 * initializers and value infos move up, its outputs are renamed to the If's outputs, and
 * `use_cache_branch`, which nothing reads any more, leaves the inputs (forward.ts feeds it only where the
 * session has it). The decoder edit then finds its targets in a plain graph.
 */
import { ContextLensError } from '../errors';
import {
  ATTRIBUTE_G,
  ATTRIBUTE_NAME,
  GRAPH_INITIALIZER,
  GRAPH_INPUT,
  GRAPH_NODE,
  GRAPH_OUTPUT,
  GRAPH_SPARSE_INITIALIZER,
  GRAPH_VALUE_INFO,
  MODEL_GRAPH,
  NODE_ATTRIBUTE,
  NODE_INPUT,
  NODE_OUTPUT,
  VALUE_INFO_NAME,
} from './fields';
import { nodeField } from './graphFields';
import { renamedMessage, withGraphReplaced } from './rewrite';
import { readNode, type OnnxGraphSummary, type OnnxNodeSummary } from './scan';
import { fieldSpans, messageField, readNameField, utf8, WireReader, type FieldSpan } from './wire';

export const USE_CACHE_BRANCH_INPUT = 'use_cache_branch';
/** The If attribute that runs when `use_cache_branch` is false: the decoder without past inputs. */
const NO_CACHE_BRANCH = 'else_branch';

/** A branch graph's fields, as spans into the model's bytes. */
interface Branch {
  nodes: FieldSpan[];
  summaries: OnnxNodeSummary[];
  /** Initializers, sparse initializers and value infos: moved up unchanged (value infos renamed). */
  moved: FieldSpan[];
  outputs: string[];
  inputs: number;
}

function notRecognisedError(why: string): ContextLensError {
  return new ContextLensError(
    'NOT_A_MASKED_LM',
    `This is a merged decoder export (decoder_model_merged: the model sits inside an If node on use_cache_branch), but ${why}, so Context Lens cannot run its no-cache branch. Use the plain decoder export onnx/model.onnx (as Xenova/gpt2 publishes it, or \`optimum-cli export onnx --task text-generation-with-past\`).`,
  );
}

/** The payload span of the If node's `else_branch` graph attribute, or undefined when it has none. */
function noCacheBranchSpan(bytes: Uint8Array, node: [number, number]): [number, number] | undefined {
  for (const f of fieldSpans(bytes, node[0], node[1])) {
    if (f.field !== NODE_ATTRIBUTE || !f.payload) continue;
    const attribute = fieldSpans(bytes, f.payload[0], f.payload[1]);
    const name = attribute.find((a) => a.field === ATTRIBUTE_NAME && a.payload);
    if (!name || utf8.decode(bytes.subarray(name.payload![0], name.payload![1])) !== NO_CACHE_BRANCH) continue;
    return attribute.find((a) => a.field === ATTRIBUTE_G && a.payload)?.payload;
  }
  return undefined;
}

function readBranch(bytes: Uint8Array, span: [number, number]): Branch {
  const branch: Branch = { nodes: [], summaries: [], moved: [], outputs: [], inputs: 0 };
  for (const f of fieldSpans(bytes, span[0], span[1])) {
    if (!f.payload) continue;
    if (f.field === GRAPH_NODE) {
      branch.nodes.push(f);
      branch.summaries.push(readNode(new WireReader(bytes, f.payload[0], f.payload[1])));
    } else if (f.field === GRAPH_INITIALIZER || f.field === GRAPH_SPARSE_INITIALIZER || f.field === GRAPH_VALUE_INFO) {
      branch.moved.push(f);
    } else if (f.field === GRAPH_OUTPUT) {
      branch.outputs.push(readNameField(new WireReader(bytes, f.payload[0], f.payload[1]), VALUE_INFO_NAME));
    } else if (f.field === GRAPH_INPUT) {
      branch.inputs++;
    }
  }
  return branch;
}

/**
 * The branch's nodes for the main graph: a tensor the branch produces and returns is renamed to the If's
 * output where it is made and read (no copy); a returned tensor the branch does not make (an outer-scope
 * name, or one returned twice) gets an Identity node. Nested subgraphs are copied as they are: optimum's
 * decoder branches have none that read a branch output.
 */
function inlinedNodes(bytes: Uint8Array, branch: Branch, ifOutputs: string[]): { nodes: Uint8Array[]; renames: Map<string, string> } {
  const produced = new Set(branch.summaries.flatMap((n) => n.outputs));
  const renames = new Map<string, string>();
  const copies: [string, string][] = [];
  branch.outputs.forEach((from, i) => {
    const to = ifOutputs[i];
    if (!to || to === from) return;
    if (produced.has(from) && !renames.has(from)) renames.set(from, to);
    else copies.push([renames.get(from) ?? from, to]);
  });
  const names = new Set([NODE_INPUT, NODE_OUTPUT]);
  const nodes = branch.nodes.map((f) => {
    const renamed = renames.size ? renamedMessage(bytes, f.payload!, names, (_, name) => renames.get(name)) : undefined;
    return renamed ? messageField(GRAPH_NODE, renamed) : bytes.subarray(f.start, f.end);
  });
  copies.forEach(([from, to]) => nodes.push(nodeField('Identity', `context_lens/no_cache_branch/${to}`, [from], [to])));
  return { nodes, renames };
}

/**
 * The model with a merged decoder's If on `use_cache_branch` replaced by its no-cache branch, or
 * undefined when the graph has no such If (a plain decoder). Throws NOT_A_MASKED_LM for an If on
 * `use_cache_branch` whose else branch is missing or does not fit its outputs.
 */
export function inlineNoCacheBranch(bytes: Uint8Array, graph: OnnxGraphSummary): Uint8Array | undefined {
  if (!graph.inputNames.includes(USE_CACHE_BRANCH_INPUT)) return undefined;
  const ifs = graph.nodes.flatMap((n, i) => (n.opType === 'If' && n.inputs[0] === USE_CACHE_BRANCH_INPUT ? [i] : []));
  if (ifs.length === 0) return undefined;
  if (ifs.length > 1) throw notRecognisedError(`it has ${ifs.length} such If nodes where optimum writes one`);
  const ifIndex = ifs[0];
  const ifOutputs = graph.nodes[ifIndex].outputs;

  const modelFields = fieldSpans(bytes, 0, bytes.length);
  const graphs = modelFields.filter((f) => f.field === MODEL_GRAPH && f.payload);
  if (graphs.length !== 1) throw notRecognisedError('its graph is written in several parts');
  const graphFields = fieldSpans(bytes, graphs[0].payload![0], graphs[0].payload![1]);
  const nodeSpans = graphFields.filter((f) => f.field === GRAPH_NODE && f.payload);
  const span = noCacheBranchSpan(bytes, nodeSpans[ifIndex].payload!);
  if (!span) throw notRecognisedError(`its If node has no ${NO_CACHE_BRANCH} graph`);
  const branch = readBranch(bytes, span);
  if (branch.inputs > 0) throw notRecognisedError(`its ${NO_CACHE_BRANCH} declares inputs (an If branch has none)`);
  if (branch.outputs.length !== ifOutputs.length) throw notRecognisedError(`its ${NO_CACHE_BRANCH} returns ${branch.outputs.length} tensors for the If's ${ifOutputs.length} outputs`);

  const { nodes, renames } = inlinedNodes(bytes, branch, ifOutputs);
  const stillRead = [...graph.nodes.filter((_, i) => i !== ifIndex), ...branch.summaries].some((n) => n.inputs.includes(USE_CACHE_BRANCH_INPUT));
  const graphParts: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const f of graphFields) {
    if (f.field === GRAPH_NODE && f.payload) {
      if (nodeIndex++ === ifIndex) graphParts.push(...nodes);
      else graphParts.push(bytes.subarray(f.start, f.end));
    } else if (f.field === GRAPH_INPUT && f.payload && !stillRead && readNameField(new WireReader(bytes, f.payload[0], f.payload[1]), VALUE_INFO_NAME) === USE_CACHE_BRANCH_INPUT) {
      continue;
    } else {
      graphParts.push(bytes.subarray(f.start, f.end));
    }
  }
  for (const f of branch.moved) {
    const info = f.field === GRAPH_VALUE_INFO && renames.size ? renamedMessage(bytes, f.payload!, new Set([VALUE_INFO_NAME]), (_, name) => renames.get(name)) : undefined;
    graphParts.push(info ? messageField(GRAPH_VALUE_INFO, info) : bytes.subarray(f.start, f.end));
  }
  return withGraphReplaced(bytes, modelFields, graphs[0], graphParts);
}
