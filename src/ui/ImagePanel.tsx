import { useState, type DragEvent } from 'react';
import { useAppStore } from '../store/app-store';

export function ImagePanel() {
  const image = useAppStore((s) => s.image);
  const setImage = useAppStore((s) => s.setImage);
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void setImage(file);
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
      {image ? (
        <figure>
          <img src={image.url} alt={`Your image: ${image.name}`} />
          <figcaption>
            {image.name}
            {image.encodeMs !== null && <> · encoded in {Math.round(image.encodeMs)} ms</>}
          </figcaption>
        </figure>
      ) : (
        <p className="drop-hint">Drop an image here, or</p>
      )}
      <label className="upload">
        <span>Upload image</span>
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
    </section>
  );
}
