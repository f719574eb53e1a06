import { useEffect } from 'react';
import { useAppStore } from '../store/app-store';
import { BackendPicker } from './BackendPicker';
import { Conversation } from './Conversation';
import { ImagePanel } from './ImagePanel';
import { LoadProgress } from './LoadProgress';
import { ModelCard } from './ModelCard';
import { QuestionBox } from './QuestionBox';

export function App() {
  const loadModel = useAppStore((s) => s.loadModel);
  const error = useAppStore((s) => s.error);
  const dismissError = useAppStore((s) => s.dismissError);

  useEffect(() => {
    void loadModel();
  }, [loadModel]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>GVT Web</h1>
        <p className="tagline">Ask about an image. Everything runs in your browser.</p>
        <BackendPicker />
      </header>
      <LoadProgress />
      <ModelCard />
      {error && (
        <div className="error" role="alert">
          <span>{error}</span>
          <button type="button" onClick={dismissError} aria-label="Dismiss message">
            ×
          </button>
        </div>
      )}
      <main className="workspace">
        <ImagePanel />
        <section className="chat" aria-label="Conversation">
          <Conversation />
          <QuestionBox />
        </section>
      </main>
    </div>
  );
}
