// Guided demos (demos.ts): pick one, read each step, go next/back; the page highlights what the
// step talks about. Requirements this build does not meet are listed instead of faked.

import { useMachineStatus } from '../machineClient';
import { DEMOS, missing, showStep, startDemo, stopDemo } from '../demos';
import { useUi } from '../ui';
import './panels.css';

export function DemosPanel() {
  const s = useMachineStatus();
  return (
      <div className="panel" data-testid="demos">
        <h3>Lessons</h3>
        <ul className="demo-list">
          {DEMOS.map((d) => {
            const lacks = d.needs.map((n) => missing(n, s)).filter(Boolean);
            return (
              <li key={d.id}>
                <button onClick={() => startDemo(d.id)} data-testid={`demo-${d.id}`}>
                  {d.title}
                </button>{' '}
                <span className="dim">{d.summary}</span>
                {lacks.length > 0 && (
                  <div className="warn-note" data-testid={`demo-${d.id}-missing`}>
                    Not fully available in this build: {lacks.join('; ')}.
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      <p className="dim">A lesson shows its steps in a card below the terminal; the page highlights what each step is about.</p>
      </div>
    );
}

/** The current demo step, floating over the terminal so the dock can show the panel it is about. */
export function DemoCard() {
  const s = useMachineStatus();
  const ui = useUi();
  const demo = ui.demo ? DEMOS.find((d) => d.id === ui.demo!.id) : undefined;
  if (!demo) return null;
  const i = ui.demo!.step;
  const step = demo.steps[i];
  const lacks = [...demo.needs, ...(step.needs ?? [])].map((n) => missing(n, s)).filter(Boolean);
  return (
    <div className="panel demo-card" role="dialog" aria-label={`Demo: ${demo.title}`} data-testid="demo-active">
      <h3>
        {demo.title} <span className="dim">· step {i + 1} of {demo.steps.length}</span>
      </h3>
      <p className="demo-text">{step.text}</p>
      {lacks.length > 0 && (
        <p className="warn-note" data-testid="demo-missing">
          This step cannot be shown with this build: {[...new Set(lacks)].join('; ')}.
        </p>
      )}
      {step.action && step.actionLabel && (
        <p>
          <button onClick={step.action} disabled={lacks.length > 0}>
            {step.actionLabel}
          </button>
        </p>
      )}
      <div className="row">
        <button onClick={() => showStep(demo, i - 1, true)} disabled={i === 0}>
          Back
        </button>
        {i + 1 < demo.steps.length ? (
          <button className="primary" onClick={() => showStep(demo, i + 1, true)} data-testid="demo-next">
            Next
          </button>
        ) : (
          <button className="primary" onClick={stopDemo}>
            Done
          </button>
        )}
        <button onClick={stopDemo}>Close</button>
      </div>
    </div>
  );
}
