import { useEffect, useRef, useState } from 'react';

/** Why the camera cannot be used, in words a visitor can act on. */
export function cameraProblem(error: unknown): string {
  const name = (error as Error)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'Camera permission was denied. Allow the camera for this site in the browser’s settings, or upload, paste or pick a sample image instead.';
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return 'No camera was found on this device. Upload, paste or pick a sample image instead.';
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return 'The camera is in use by another application or could not be started. Close it there and try again, or upload an image instead.';
  }
  return `The camera could not be started (${(error as Error)?.message ?? String(error)}). Upload, paste or pick a sample image instead.`;
}

interface Props {
  /**
   * Frame and keep only the largest centred square: for a model that learnt cards filling a square
   * picture (GVT-tiny), a card filling that square comes out a third larger than in the whole
   * 4:3 frame, which the model would letterbox.
   */
  square: boolean;
  onCapture(file: File): void;
  /** Closed by the user (no problem) or because the camera cannot be used. */
  onClose(problem?: string): void;
}

/** Where the centred square lies in a frame, as CSS percentages of it. */
function squareGuide(width: number, height: number) {
  const side = Math.min(width, height);
  return {
    left: `${(50 * (width - side)) / width}%`,
    top: `${(50 * (height - side)) / height}%`,
    width: `${(100 * side) / width}%`,
    height: `${(100 * side) / height}%`,
  };
}

/** A live camera preview with a button that captures the current frame (or its centred square) as a PNG. */
export function CameraCapture({ square, onCapture, onClose }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const [live, setLive] = useState(false);
  const [frame, setFrame] = useState<{ w: number; h: number } | null>(null);

  useEffect(() => {
    let cancelled = false;
    if (!navigator.mediaDevices?.getUserMedia) {
      onClose('This page cannot use a camera: the browser offers none here (a camera needs an https page). Upload, paste or pick a sample image instead.');
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false })
      .then(async (s) => {
        if (cancelled) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream.current = s;
        if (video.current) {
          video.current.srcObject = s;
          await video.current.play().catch(() => {});
        }
        setLive(true);
      })
      .catch((error) => {
        if (!cancelled) onClose(cameraProblem(error));
      });
    return () => {
      cancelled = true;
      stream.current?.getTracks().forEach((t) => t.stop());
      stream.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const capture = () => {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const side = Math.min(v.videoWidth, v.videoHeight);
    const [w, h] = square ? [side, side] : [v.videoWidth, v.videoHeight];
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d')!.drawImage(v, (v.videoWidth - w) / 2, (v.videoHeight - h) / 2, w, h, 0, 0, w, h);
    canvas.toBlob((blob) => {
      if (blob) onCapture(new File([blob], `camera-${new Date().toISOString().slice(11, 19).replace(/:/g, '')}.png`, { type: 'image/png' }));
    }, 'image/png');
  };

  return (
    <div className="camera" data-testid="camera">
      <div className="camera-view">
        <video
          ref={video}
          muted
          playsInline
          aria-label="Camera preview"
          onLoadedMetadata={(e) => setFrame({ w: e.currentTarget.videoWidth, h: e.currentTarget.videoHeight })}
        />
        {square && frame && <div className="camera-guide" data-testid="camera-guide" style={squareGuide(frame.w, frame.h)} />}
      </div>
      {live ? (
        // GVT-tiny learnt cards that fill most of the frame; a small card in a busy room reads as a photo.
        <p className="muted">
          {square ? 'Hold the card inside the square, so that it fills it: the photo keeps only the square.' : 'Hold the card close, so that it fills most of the picture.'}
        </p>
      ) : (
        <p className="muted">Starting the camera…</p>
      )}
      <div className="inputs">
        <button type="button" onClick={capture} disabled={!live}>
          Take photo
        </button>
        <button type="button" className="secondary" onClick={() => onClose()}>
          Cancel
        </button>
      </div>
    </div>
  );
}
