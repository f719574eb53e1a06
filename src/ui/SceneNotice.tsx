import { CATALOGUE } from '../hub/catalogue';
import { currentImage, useAppStore } from '../store/app-store';

/**
 * Shown above the answers when the package's scene check says the current image
 * is not what the model was trained on (a photo dropped on GVT-tiny): its answers
 * would be confident nonsense, so say so and offer a model that reads photos.
 */
export function SceneNotice() {
  const image = useAppStore(currentImage);
  const check = useAppStore((s) => s.model?.sceneCheck);
  const modelName = useAppStore((s) => s.model?.name);
  const chooseModel = useAppStore((s) => s.chooseModel);
  if (!image || !check || image.sceneScore === null || image.sceneScore >= check.threshold) return null;
  const photoModel = CATALOGUE[0];
  return (
    <div className="scene-notice" role="status" data-testid="scene-notice">
      <p>
        This image does not look like a {check.domain} (scene check {image.sceneScore.toFixed(2)}, below {check.threshold}). {modelName}{' '}
        knows only flat coloured shapes on a plain background, so its answers about this image will not be reliable.
      </p>
      <button type="button" className="small" onClick={() => void chooseModel(photoModel.id)}>
        Use {photoModel.name} for photos
      </button>
    </div>
  );
}
