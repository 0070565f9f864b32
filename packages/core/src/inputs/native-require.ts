/**
 * `require` for the CommonJS dependencies of the readers (jsQR, UTIF.js, tesseract.js). Node's own module
 * loader is used even where a test runner sandboxes modules (jest runs sandboxed CommonJS code in a vm
 * context, where jsQR's pixel loops run several times slower); in a plain Node process both are the same.
 */
import { createRequire } from 'node:module';

type Builtins = { getBuiltinModule?: (id: string) => typeof import('node:module') | undefined };

export function nativeRequire(from: string): NodeJS.Require {
  const mod = (process as unknown as Builtins).getBuiltinModule?.('node:module');
  return (mod?.createRequire ?? createRequire)(from);
}
