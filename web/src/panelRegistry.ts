// The panel registry: every panel of the dock with its tab title and Alt+key. The dock shows them,
// App binds the keys, and a shared scenario URL names a panel by its id.

import { createElement, lazy, Suspense, type ComponentType } from 'react';
import { ProcessesPanel } from './panels/ProcessesPanel';
import { CapabilitiesPanel } from './panels/CapabilitiesPanel';
import { MemoryPanel } from './panels/MemoryPanel';
import { DemosPanel } from './panels/DemosPanel';
import type { PanelId } from './ui';

/**
 * A panel loaded when first opened, not with the page (the first paint shows the Processes panel;
 * Processes, Capabilities and Memory share their parts, and the lessons' card is always on screen).
 */
function lazyPanel(load: () => Promise<{ default: ComponentType }>, loading = 'loading…'): ComponentType {
  const Panel = lazy(load);
  return function LazyPanel() {
    return createElement(Suspense, { fallback: createElement('p', { className: 'dim' }, loading) }, createElement(Panel));
  };
}

const MessagesPanel = lazyPanel(() => import('./panels/MessagesPanel').then((m) => ({ default: m.MessagesPanel })));
const InterruptsPanel = lazyPanel(() => import('./panels/InterruptsPanel').then((m) => ({ default: m.InterruptsPanel })));
const ComposerPanel = lazyPanel(() => import('./panels/ComposerPanel').then((m) => ({ default: m.ComposerPanel })));
const CpuPanel = lazyPanel(() => import('./panels/CpuPanel').then((m) => ({ default: m.CpuPanel })));
/** The Code panel brings CodeMirror and the compiler. */
const LazyCodePanel = lazyPanel(() => import('./code/CodePanel'), 'loading the editor…');
/** The Network view: machine 2, the frames on the wire, the decoder (web/src/net). */
const NetworkPanel = lazyPanel(() => import('./net/NetworkPanel'), 'starting the network…');

export interface Panel {
  id: PanelId;
  title: string;
  key: string;
  Component: ComponentType;
}

export const PANELS: Panel[] = [
  { id: 'processes', title: 'Processes', key: '1', Component: ProcessesPanel },
  { id: 'capabilities', title: 'Capabilities', key: '2', Component: CapabilitiesPanel },
  { id: 'messages', title: 'Messages', key: '3', Component: MessagesPanel },
  { id: 'memory', title: 'Memory', key: '4', Component: MemoryPanel },
  { id: 'interrupts', title: 'Interrupts', key: '5', Component: InterruptsPanel },
  { id: 'composer', title: 'Send IPC', key: '6', Component: ComposerPanel },
  { id: 'cpu', title: 'CPU', key: '7', Component: CpuPanel },
  { id: 'demos', title: 'Lessons', key: '8', Component: DemosPanel },
  { id: 'code', title: 'Code', key: '9', Component: LazyCodePanel },
  { id: 'network', title: 'Network', key: '0', Component: NetworkPanel },
];
