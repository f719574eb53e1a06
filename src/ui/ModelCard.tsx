import { useAppStore } from '../store/app-store';

/** The model card that ships with the package: what the model knows and what it cannot do. */
export function ModelCard() {
  const card = useAppStore((s) => s.modelCard);
  const name = useAppStore((s) => s.model?.manifest.name);
  if (!card) return null;
  return (
    <details className="model-card">
      <summary>About {name ?? 'this model'}</summary>
      <div className="model-card-text" data-testid="model-card">
        {card}
      </div>
    </details>
  );
}
