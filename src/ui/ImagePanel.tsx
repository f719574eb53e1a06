import { useState, type DragEvent } from 'react';
import { currentImage, currentMessages, useAppStore } from '../store/app-store';
import { CameraCapture } from './CameraCapture';
import { pasteFromClipboard } from './clipboard';
import { SampleGallery } from './SampleGallery';
import { ThreadList } from './ThreadList';

export function ImagePanel() {
  const image = useAppStore(currentImage);
  const domain = useAppStore((s) => s.model?.domain);
  const messages = useAppStore(currentMessages);
  const boxes = messages.findLast((m) => m.boxes)?.boxes;
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const setImage = useAppStore((s) => s.setImage);
  const showError = useAppStore((s) => s.showError);
  const [dragging, setDragging] = useState(false);
  const [camera, setCamera] = useState(false);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void setImage(file);
  };

  const paste = async () => {
    const result = await pasteFromClipboard();
    if (typeof result === 'string') showError(result);
    else void setImage(result);
  };

  return (
    <section
      className={`image-panel${dragging ? ' dragging' : ''}`}
      aria-label="Image"
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {camera ? (
        <CameraCapture
          square={domain === 'shapes-world'}
          onCapture={(file) => {
            setCamera(false);
            void setImage(file);
          }}
          onClose={(problem) => {
            setCamera(false);
            if (problem) showError(problem);
          }}
        />
      ) : image ? (
        <figure className="current-image">
          <div className="image-frame">
            <img src={image.url} alt={`Your image: ${image.name}`} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
            {boxes && size && (
              // The detector's boxes, in the image's own pixels: the SVG scales with the picture.
              <svg className="boxes" viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="none" data-testid="boxes" aria-label={`${boxes.length} detected objects`}>
                {boxes.map((b, i) => (
                  <g key={i}>
                    <rect x={b.x1} y={b.y1} width={b.x2 - b.x1} height={b.y2 - b.y1} />
                    <text x={b.x1 + 2} y={b.y1 + 14}>
                      {b.label}
                    </text>
                  </g>
                ))}
              </svg>
            )}
          </div>
          <figcaption>
            {image.name}
            {image.encodeMs !== null && <> · encoded in {Math.round(image.encodeMs)} ms</>}
          </figcaption>
        </figure>
      ) : (
        <p className="drop-hint">Pick a sample scene below, or drop, paste (Ctrl+V) or photograph an image.</p>
      )}
      <div className="inputs">
        <label className="upload">
          <span aria-hidden="true">Upload image</span>
          <input
            type="file"
            accept="image/*"
            aria-label="Upload image"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void setImage(file);
              e.target.value = '';
            }}
          />
        </label>
        <button type="button" className="secondary" onClick={() => void paste()}>
          Paste
        </button>
        <button type="button" className="secondary" onClick={() => setCamera(true)} aria-pressed={camera}>
          Camera
        </button>
      </div>
      <ThreadList />
      <SampleGallery />
    </section>
  );
}
