import { useEffect, useState } from 'react';
import { useAppStore } from '../store/app-store';

export interface Sample {
  file: string;
  caption: string;
  objects: { shape: string; color: string }[];
}

const BASE = `${import.meta.env.BASE_URL}samples/`;

/** Sample Shapes World scenes shipped with the app: one click to use. */
export function SampleGallery() {
  const setImage = useAppStore((s) => s.setImage);
  const showError = useAppStore((s) => s.showError);
  const hasImage = useAppStore((s) => s.threads.length > 0);
  const [samples, setSamples] = useState<Sample[]>([]);

  useEffect(() => {
    fetch(`${BASE}index.json`)
      .then((r) => (r.ok ? r.json() : { samples: [] }))
      .then((index: { samples: Sample[] }) => setSamples(index.samples))
      .catch(() => setSamples([]));
  }, []);

  if (samples.length === 0) return null;

  const use = async (sample: Sample, index: number) => {
    try {
      const blob = await (await fetch(`${BASE}${sample.file}`)).blob();
      await setImage(new File([blob], `sample-${index + 1}.png`, { type: 'image/png' }));
    } catch (error) {
      showError(`The sample could not be loaded: ${(error as Error).message}`);
    }
  };

  return (
    <details className="gallery" open={!hasImage || undefined}>
      <summary>Sample scenes</summary>
      <ul className="gallery-strip" data-testid="gallery">
        {samples.map((sample, i) => (
          <li key={sample.file}>
            <button type="button" className="sample" onClick={() => void use(sample, i)} aria-label={`Use sample ${i + 1}: ${sample.caption}`}>
              <img src={`${BASE}${sample.file}`} alt="" width={256} height={256} />
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
