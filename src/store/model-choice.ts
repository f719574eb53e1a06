import type { HubModel } from '../hub/catalogue';
import { HUB_ENDPOINT } from '../hub/catalogue';

const KEY = 'gvt-web:model';
const params = () => new URLSearchParams(globalThis.location?.search ?? '');

/** The catalogue model picked last visit (the booth reopens on it), unless `?model=URL` names a package. */
export function loadModelChoice(): string | null {
  if (params().has('model')) return null;
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveModelChoice(id: string | null): void {
  try {
    if (id) localStorage.setItem(KEY, id);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage may be off (private mode): the choice just isn't remembered.
  }
}

/**
 * Where a Hub model's files come from: `?hub=URL` names a mirror; a build
 * that holds the files itself under `models/{repo}/resolve/{revision}/`
 * (booth mode, `npm run models:pull`) serves them from its own origin;
 * otherwise the Hugging Face Hub.
 */
export async function hubEndpoint(model: HubModel): Promise<string> {
  const mirror = params().get('hub');
  if (mirror) return mirror;
  const own = new URL(`${import.meta.env.BASE_URL}models`, location.href).href;
  try {
    const res = await fetch(`${own}/${model.id}/resolve/${model.revision}/config.json`, { method: 'HEAD', cache: 'no-store' });
    // A static host may answer a missing file with its index.html.
    if (res.ok && !(res.headers.get('content-type') ?? '').includes('html')) return own;
  } catch {
    // Offline: files downloaded from the Hub earlier are still in the cache under the Hub's URLs.
  }
  return HUB_ENDPOINT;
}
