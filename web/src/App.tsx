import { Dock } from './components/Dock';
import { StatusBar } from './components/StatusBar';
import { Terminal } from './components/Terminal';
import { Toolbar } from './components/Toolbar';

export function App() {
  return (
    <div className="app">
      <Toolbar />
      <main className="main">
        <Terminal />
      </main>
      <Dock />
      <StatusBar />
    </div>
  );
}
