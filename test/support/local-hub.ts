import { existsSync } from 'node:fs';
import { env, RawImage } from '@huggingface/transformers';
import { buildHubFixtures, HUB_FIXTURES, type HubFixtures } from './build-hub-fixtures';

/** A real photo (451x300, a cat) from Debian's python3-skimage; scripts/system-deps.sh installs it. */
export const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png';

/** Points transformers.js at the stand-in repos on disk (never the network) and reads the photo. */
export async function useLocalHub(): Promise<{ fixtures: HubFixtures; photo: RawImage }> {
  const fixtures = buildHubFixtures(); // normally a no-op: the unit project's globalSetup built them
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = HUB_FIXTURES;
  if (!existsSync(PHOTO)) throw new Error(`${PHOTO} is missing: run scripts/system-deps.sh (Debian python3-skimage)`);
  return { fixtures, photo: await RawImage.read(PHOTO) };
}
