import type { ModelManifest } from '../src/engine/manifest';
import { httpSource, readManifest, type PackageSource } from '../src/engine/package';
import { chooseBackend, configureRuntime, detectCapabilities, type Backend, type Capabilities } from '../src/engine/runtime';
import type { LoadRequest } from '../src/worker-api/messages';

export interface Prepared {
  source: PackageSource;
  manifest: ModelManifest;
  backend: Backend;
  capabilities: Capabilities;
}

/** Both workers start the same way: read the manifest, pick and configure the backend. */
export async function preparePackage(request: LoadRequest): Promise<Prepared> {
  const source = httpSource(request.packageUrl);
  const manifest = await readManifest(source);
  const capabilities = await detectCapabilities();
  const backend = chooseBackend(capabilities, request.backend);
  configureRuntime(backend);
  return { source, manifest, backend, capabilities };
}
