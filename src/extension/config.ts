/** Typed access to the `contextLens.*` settings. Nothing else reads `getConfiguration`. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_MODEL_ID, isFolderSpec } from '../engine/modelSpec';
import type { DevicePreference, Dtype } from '../engine/types';
import type { ProjectionMethod } from '../protocol';

export const SECTION = 'contextLens';
/** Set (tests, the demo) to use another model when the user has not chosen one in settings. */
export const MODEL_ENV = 'CONTEXT_LENS_MODEL';

/** Settings whose change means the loaded model no longer matches: the engine is restarted. */
export const ENGINE_SETTINGS = ['model', 'dtype', 'device', 'hubMirror', 'offline'] as const;

export interface Config {
  /** Hub id or absolute folder. */
  model: string;
  /** Where `model` came from. */
  modelOrigin: 'setting' | 'environment' | 'default';
  dtype: Dtype;
  device: DevicePreference;
  topK: number;
  /** 'all': stream every token's masked guesses after the map; 'onDemand': only tokens the user looks at. */
  maskedGuesses: 'all' | 'onDemand';
  projection: ProjectionMethod;
  hoverEnabled: boolean;
  hoverLanguages: string[];
  maxTokens: number;
  hubMirror: string | undefined;
  offline: boolean;
  /** Cosines on z-scored dimensions (the Map's same-token links, the Senses tab): see engine/senses/types.ts. */
  standardizeDimensions: boolean;
  senses: SensesConfig;
  /** contextLens.words.language: the BCP 47 tag the Words view segments in; undefined = the engine's default (the model's language). */
  wordsLanguage: string | undefined;
}

/** contextLens.senses.*: Explore Word Senses. */
export interface SensesConfig {
  maxOccurrences: number;
  contextTokens: number;
  /** Globs of the workspace search (findFiles). */
  include: string;
  exclude: string;
}

export const DEFAULT_SENSES_INCLUDE = '**/*.{txt,md,markdown,rst,tex,html,htm,csv,tsv,json,jsonl,xml,yaml,yml,log}';

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function intIn(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
  return Math.max(min, Math.min(max, n));
}

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration(SECTION);
  const inspected = c.inspect<string>('model');
  const explicit = [inspected?.workspaceFolderValue, inspected?.workspaceValue, inspected?.globalValue].find(
    (v) => typeof v === 'string' && v.trim() !== '',
  );
  const env = process.env[MODEL_ENV]?.trim();
  let model: string;
  let modelOrigin: Config['modelOrigin'];
  if (explicit !== undefined) {
    model = explicit.trim();
    modelOrigin = 'setting';
  } else if (env) {
    model = env;
    modelOrigin = 'environment';
  } else {
    model = DEFAULT_MODEL_ID;
    modelOrigin = 'default';
  }
  const mirror = c.get<string>('hubMirror', '').trim();
  const languages = c.get<unknown>('hover.languages');
  return {
    model,
    modelOrigin,
    dtype: oneOf(c.get('dtype'), ['q8', 'fp32'] as const, 'q8'),
    device: oneOf(c.get('device'), ['auto', 'cpu', 'wasm', 'webgpu'] as const, 'auto'),
    topK: intIn(c.get('topK'), 1, 20, 5),
    maskedGuesses: oneOf(c.get('maskedGuesses'), ['all', 'onDemand'] as const, 'all'),
    projection: oneOf(c.get('projection'), ['umap', 'pca'] as const, 'umap'),
    hoverEnabled: c.get<boolean>('hover.enabled', true) !== false,
    hoverLanguages: Array.isArray(languages) ? languages.filter((l): l is string => typeof l === 'string' && l !== '') : ['plaintext', 'markdown'],
    maxTokens: intIn(c.get('maxTokens'), 16, 8192, 512),
    hubMirror: /^https?:\/\/\S+$/i.test(mirror) ? (mirror.endsWith('/') ? mirror : `${mirror}/`) : undefined,
    offline: c.get<boolean>('offline', false) === true,
    standardizeDimensions: c.get<boolean>('standardizeDimensions', false) === true,
    senses: {
      maxOccurrences: intIn(c.get('senses.maxOccurrences'), 2, 5000, 200),
      contextTokens: intIn(c.get('senses.contextTokens'), 8, 512, 64),
      include: c.get<string>('senses.include', '').trim() || DEFAULT_SENSES_INCLUDE,
      exclude: c.get<string>('senses.exclude', '').trim(),
    },
    wordsLanguage: c.get<string>('words.language', '').trim() || undefined,
  };
}

/** The workbench's own excludes, which the workspace search of Explore Word Senses respects (see senses/globs.ts). */
export function readWorkbenchExcludes(): { filesExclude: unknown; searchExclude: unknown } {
  return {
    filesExclude: vscode.workspace.getConfiguration('files').get('exclude'),
    searchExclude: vscode.workspace.getConfiguration('search').get('exclude'),
  };
}

/** Turns "Standardize dimensions" on or off for every window (the panel's toggle). */
export function updateStandardizeDimensions(on: boolean): Thenable<void> {
  return vscode.workspace.getConfiguration(SECTION).update('standardizeDimensions', on, vscode.ConfigurationTarget.Global);
}

/**
 * Writes contextLens.model (Choose Model): where the workspace sets it, a global value would stay hidden
 * under it, so the choice goes there; else to the user settings, for every window.
 */
export function updateModelSetting(model: string): Thenable<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const inspected = c.inspect<string>('model');
  const inWorkspace = inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined;
  const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  return c.update('model', model, target);
}

/** What the status bar and messages call the model. */
export function modelLabel(model: string): string {
  return isFolderSpec(model) ? path.basename(model.replace(/[\\/]+$/, '')) : model;
}

export function affectsEngine(e: vscode.ConfigurationChangeEvent): boolean {
  return ENGINE_SETTINGS.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
