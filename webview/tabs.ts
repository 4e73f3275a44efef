/** The tabs (Map, Tokens, Attention, Senses, Compare): a tablist with arrow-key focus and one panel per view. */
import { PANEL_TABS } from '../src/protocol';
import { emit, on } from './bus';
import { el } from './dom';
import { rovingIndex } from './keyboard';
import { persist, state, type Tab } from './state';
import { t, type StringKey } from './strings';

const TABS = PANEL_TABS;

/** A tab's content; `show`/`hide` tell views that draw only while visible. */
export interface TabView {
  root: HTMLElement;
  show?(): void;
  hide?(): void;
}

export interface Tabs {
  tablist: HTMLElement;
  panels: HTMLElement;
  /** Shows `tab`; `user` = the user chose it (kept with setState), not a restore. */
  select(tab: Tab, user: boolean): void;
}

export function createTabs(views: Record<Tab, TabView>): Tabs {
  const tablist = el('div', { class: 'tabs', role: 'tablist' });
  const panels = el('main', { class: 'panels' });
  const buttons = new Map<Tab, HTMLButtonElement>();
  const sections = new Map<Tab, HTMLElement>();
  for (const tab of TABS) {
    const b = el('button', { type: 'button', role: 'tab', id: `cl-tab-${tab}`, 'aria-controls': `cl-panel-${tab}`, 'data-testid': `tab-${tab}`, class: 'tab' });
    b.addEventListener('click', () => select(tab, true));
    buttons.set(tab, b);
    tablist.appendChild(b);
    const section = el('section', { role: 'tabpanel', id: `cl-panel-${tab}`, 'aria-labelledby': `cl-tab-${tab}`, class: `panel panel-${tab}`, 'data-testid': `panel-${tab}`, tabindex: -1 }, views[tab].root);
    sections.set(tab, section);
    panels.appendChild(section);
  }
  tablist.addEventListener('keydown', (e) => {
    const i = TABS.indexOf(state.persisted.tab);
    const next = rovingIndex(e.key, i, TABS.length);
    if (next === null) return;
    e.preventDefault();
    select(TABS[next], true);
    buttons.get(TABS[next])!.focus();
  });

  function select(tab: Tab, user: boolean): void {
    state.persisted.tab = tab;
    if (user) persist();
    for (const x of TABS) {
      const active = x === tab;
      const b = buttons.get(x)!;
      b.setAttribute('aria-selected', String(active));
      b.tabIndex = active ? 0 : -1;
      sections.get(x)!.hidden = !active;
    }
    // Only once every panel has its final visibility: a view that draws on `show` measures its size.
    for (const x of TABS) {
      if (x === tab) views[x].show?.();
      else views[x].hide?.();
    }
    emit('tab');
  }

  const applyStrings = (): void => {
    for (const tab of TABS) buttons.get(tab)!.textContent = t(`tab.${tab}` as StringKey);
    tablist.setAttribute('aria-label', t('appTitle'));
  };
  on('strings', applyStrings);
  applyStrings();
  return { tablist, panels, select };
}
