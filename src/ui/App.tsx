import { useEffect } from 'react';
import { useAppStore } from '../store/app-store';
import { Alerts } from './Alerts';
import { BackendPicker } from './BackendPicker';
import { imageFromPasteEvent } from './clipboard';
import { Conversation } from './Conversation';
import { ImagePanel } from './ImagePanel';
import { LoadProgress } from './LoadProgress';
import { ModelPanel } from './ModelPanel';
import { OfflineStatus } from './OfflineStatus';
import { QuestionBox } from './QuestionBox';
import { SceneNotice } from './SceneNotice';
import { SettingsPanel } from './SettingsPanel';
import { TaskBar } from './TaskBar';

export function App() {
  const loadModel = useAppStore((s) => s.loadModel);
  const setImage = useAppStore((s) => s.setImage);

  useEffect(() => {
    void loadModel();
  }, [loadModel]);

  // Ctrl+V / ⌘V anywhere on the page pastes an image; pasted text goes where it always goes.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = imageFromPasteEvent(event);
      if (!file) return;
      event.preventDefault();
      void setImage(file);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [setImage]);

  // Escape stops the answer being written, wherever the focus is.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && useAppStore.getState().generating) useAppStore.getState().stop();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>GVT Web</h1>
        <p className="tagline">Ask about an image. Everything runs in your browser.</p>
        <OfflineStatus />
        <BackendPicker />
      </header>
      <LoadProgress />
      <main className="workspace">
        <ImagePanel />
        <section className="chat" aria-label="Conversation">
          {/* The controls sit above the conversation, so a streaming answer never moves them (Stop stays put). */}
          <TaskBar />
          <QuestionBox />
          <SceneNotice />
          <Conversation />
        </section>
      </main>
      <div className="panels">
        <SettingsPanel />
        <ModelPanel />
      </div>
      <Alerts />
    </div>
  );
}
