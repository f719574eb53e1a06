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
  onCapture(file: File): void;
  /** Closed by the user (no problem) or because the camera cannot be used. */
  onClose(problem?: string): void;
}

/** A live camera preview with a button that captures the current frame as a PNG. */
export function CameraCapture({ onCapture, onClose }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const [live, setLive] = useState(false);

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
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')!.drawImage(v, 0, 0);
    canvas.toBlob((blob) => {
      if (blob) onCapture(new File([blob], `camera-${new Date().toISOString().slice(11, 19).replace(/:/g, '')}.png`, { type: 'image/png' }));
    }, 'image/png');
  };

  return (
    <div className="camera" data-testid="camera">
      <video ref={video} muted playsInline aria-label="Camera preview" />
      {live ? (
        // GVT-tiny learnt cards that fill most of the frame; a small card in a busy room reads as a photo.
        <p className="muted">Hold the card close, so that it fills most of the picture.</p>
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
