/**
 * Three rows of the tokenizer study (training/README.md, "The tokenizer study"),
 * shipped as packages beside GVT-tiny: the same model but for how its visual
 * tokenizer was pre-trained, so a classroom can ask each the same question.
 * Their model cards (each package's README.md) give the row's scores.
 */
export interface StudyPackage {
  /** The id the picker and the remembered choice use. */
  id: string;
  name: string;
  /** The package folder under the site's base URL. */
  folder: string;
  /** How its tokenizer was pre-trained, as the picker says it. */
  pretraining: string;
}

export const STUDY_PACKAGES: StudyPackage[] = [
  { id: 'study/gvt', name: 'Study: GVT tokenizer', folder: 'models/study/gvt/', pretraining: 'feature distillation from the CLIP-style tokenizer (GVT)' },
  { id: 'study/clip', name: 'Study: CLIP-style tokenizer', folder: 'models/study/clip/', pretraining: 'image-text contrastive on noisy alt-text (CLIP)' },
  { id: 'study/mae', name: 'Study: MAE tokenizer', folder: 'models/study/mae/', pretraining: 'masked image modelling, 75 % hidden (MAE)' },
];

export const findStudyPackage = (id: string): StudyPackage | undefined => STUDY_PACKAGES.find((p) => p.id === id);
