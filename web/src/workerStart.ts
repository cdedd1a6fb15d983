// The page's first act: start the machine's worker, before the page's own code (React, xterm.js,
// the panels: most of the first load) has downloaded and compiled. The worker fetches the kernel,
// the boot image and the boot snapshot and restores the machine meanwhile, on its own thread;
// MachineClient (machineClient.ts) takes the port over when the page's code has loaded. Messages
// wait in the port until then.

export interface StartedWorker {
  worker: Worker;
  port: MessagePort;
  /** An error the worker reported before MachineClient listened (its script failed to load). */
  earlyError?: string;
}

function start(): StartedWorker {
  const worker = new Worker(new URL('./worker/machine.worker.ts', import.meta.url), { type: 'module' });
  const channel = new MessageChannel();
  // ?check=0 / ?check=1 overrides the build's invariant-checker setting (the figures run without it)
  const check = new URLSearchParams(location.search).get('check');
  // ?boot=real boots for real on a first visit too (the page otherwise restores the booted machine)
  const realBoot = new URLSearchParams(location.search).get('boot') === 'real';
  // #rec=… : a shared recording, replayed from boot (web/src/timetravel/recording.ts)
  const replay = new URLSearchParams(location.hash.replace(/^#/, '')).get('rec') ?? undefined;
  // ?machines=2 starts with machine 2 on the switch (the Network view)
  const machines = Number(new URLSearchParams(location.search).get('machines') ?? 1) || 1;
  worker.postMessage({ type: 'connect', port: channel.port2, check: check === null ? undefined : check !== '0', realBoot, replay, machines }, [channel.port2]);
  const started: StartedWorker = { worker, port: channel.port1 };
  worker.onerror = (e) => void (started.earlyError ??= e.message);
  return started;
}

export const startedWorker = start();
