import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The random-weight package that tests run on, rebuilt from training/ when its sources change. */
export const TEST_PACKAGE = fileURLToPath(new URL('../fixtures/generated/test-package/', import.meta.url));
