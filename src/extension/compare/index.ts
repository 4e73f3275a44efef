/**
 * Compare Models (issue 13): the command and its controller. One controller per extension context, made on
 * first use (Ctx stays as it is: its owner keeps it; the controller is disposed with the extension).
 */
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { CompareController, type CompareOutcome } from './compareController';
import { pickSecondModel, updateCompareModelSetting, compareModelSetting } from './secondModel';

const controllers = new WeakMap<Ctx, CompareController>();

export function compareFor(ctx: Ctx): CompareController {
  let c = controllers.get(ctx);
  if (!c) {
    c = new CompareController(ctx);
    controllers.set(ctx, c);
    ctx.extension.subscriptions.push(c);
  }
  return c;
}

export interface CompareModelsArgs {
  /** Model B without the quick pick (tests, other extensions); saved in contextLens.compareModel like a pick. */
  compareModel?: string;
}

/**
 * Context Lens: Compare Models on the selection `source` (see commands.ts takeSelection). Resolves with the
 * outcome: 'dismissed' when no second model was chosen.
 */
export async function compareModels(ctx: Ctx, source: { label: string; text: string } | undefined, args?: unknown): Promise<CompareOutcome | 'dismissed' | 'noSelection'> {
  if (!source) return 'noSelection';
  const given = args && typeof args === 'object' && typeof (args as CompareModelsArgs).compareModel === 'string' ? (args as CompareModelsArgs).compareModel!.trim() : undefined;
  const modelB = given || (await pickSecondModel(ctx.modelDisplayName));
  if (!modelB) return 'dismissed';
  const controller = compareFor(ctx);
  // The comparison on screen stays until this run replaces it (or fails, leaving it): not dropped as stale.
  controller.expectSecondModel(modelB);
  if (modelB !== compareModelSetting()) await updateCompareModelSetting(modelB);
  return controller.compare(source, modelB);
}

/** Internal test hooks (not contributed): the comparison on screen, and its clearing. */
export function registerCompareHooks(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('contextLens._compare', () => structuredClone(compareFor(ctx).snapshot)),
  ];
}
