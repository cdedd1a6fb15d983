// The panel registry: every panel of the dock with its tab title and Alt+key. The dock shows them,
// App binds the keys, and a shared scenario URL names a panel by its id.

import { createElement, lazy, Suspense, type ComponentType } from 'react';
import { ProcessesPanel } from './panels/ProcessesPanel';
import { CapabilitiesPanel } from './panels/CapabilitiesPanel';
import { MessagesPanel } from './panels/MessagesPanel';
import { MemoryPanel } from './panels/MemoryPanel';
import { InterruptsPanel } from './panels/InterruptsPanel';
import { ComposerPanel } from './panels/ComposerPanel';
import { DemosPanel } from './panels/DemosPanel';
import { CpuPanel } from './panels/CpuPanel';
import type { PanelId } from './ui';

/** The Code panel brings CodeMirror: loaded when first opened, not with the page. */
const CodePanel = lazy(() => import('./code/CodePanel'));
function LazyCodePanel() {
  return createElement(Suspense, { fallback: createElement('p', { className: 'dim' }, 'loading the editor…') }, createElement(CodePanel));
}

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
];
