/**
 * Context Lens — Embedding Map webview. Builds the page into #app and wires it: host messages go through
 * applyHostMessage (reduce.ts) into the state, and the views redraw on the topics it names. The webview
 * talks to the host only through the messages of src/protocol.ts.
 */
import type { HostToWebview } from '../src/protocol';
import { installStyles } from './pageStyles';
import { createAttentionView } from './attention';
import { emit, on } from './bus';
import { el } from './dom';
import { createMapView } from './mapView';
import { createErrorBanner, createProgressNotice } from './notices';
import { applyHostMessage, readHostMessage } from './reduce';
import { createSensesView } from './senses';
import { createCompareView } from './compare';
import { loadPersisted, persist, replaceState, state } from './state';
import { setStrings, t } from './strings';
import { createTabs } from './tabs';
import { createTokensView } from './tokensView';
import { watchTheme } from './theme';
import { createTopBar } from './topBar';
import { post } from './vscodeApi';

/** Applies one host message: the new state, the strings it brings, saving the kept choices, then the views. */
function dispatch(msg: HostToWebview): void {
  const keptBefore = state.persisted;
  const result = applyHostMessage(state, msg);
  replaceState(result.state);
  if (result.strings) setStrings(result.strings);
  if (state.persisted !== keptBefore) persist();
  for (const topic of result.topics) emit(topic);
}

function boot(): void {
  installStyles();
  loadPersisted();
  const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
  // The host puts the UI strings in the page (a data attribute, no script): the first paint is already in
  // the user's language instead of waiting for the 'init' message.
  try {
    if (app.dataset.strings) setStrings(JSON.parse(app.dataset.strings) as Record<string, unknown>);
  } catch {
    // malformed: the English defaults stay until 'init'
  }
  app.classList.add('cl-app');

  const mapView = createMapView();
  const tabs = createTabs({ map: mapView, tokens: createTokensView(), attention: createAttentionView(), senses: createSensesView(), compare: createCompareView() });
  const topBar = createTopBar((format) => mapView.exportImage(format));
  app.append(topBar.root, createProgressNotice(), createErrorBanner(), tabs.tablist, tabs.panels);

  const applyTitle = (): void => {
    document.title = t('appTitle');
  };
  on('strings', applyTitle);
  on('tab', () => {
    app.dataset.tab = state.persisted.tab;
  });
  // The host shows a tab (Explore Word Senses shows 'senses'): the reducer already kept the choice.
  on('showTab', () => tabs.select(state.persisted.tab, false));
  window.addEventListener('message', (event: MessageEvent) => {
    const msg = readHostMessage(event.data);
    if (msg) dispatch(msg);
  });
  watchTheme(() => emit('theme'));

  applyTitle();
  tabs.select(state.persisted.tab, false);
  emit('progress');
  emit('error');
  post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
