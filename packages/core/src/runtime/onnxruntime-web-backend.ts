/**
 * The onnxruntime-web adapter (WebAssembly CPU): the one module that imports onnxruntime-web. It runs the
 * same graphs as the node backend, for browsers and for hosts where the native addon cannot load.
 * Loaded lazily so services that never use it do not pay for the wasm module.
 */
import type { Backend, Session, SessionOptions, ProviderName } from './backend.js';
import { providerStartError } from './provider-errors.js';
import { fromOrtTensor, toOrtFeeds } from './ort-tensors.js';
import { readFile } from 'node:fs/promises';

type OrtWeb = typeof import('onnxruntime-web');
let ortWeb: Promise<OrtWeb> | undefined;

async function load(threads: number | undefined): Promise<OrtWeb> {
  ortWeb ??= import('onnxruntime-web').then((m) => {
    const ort = ((m as unknown as { default?: OrtWeb }).default ?? m) as OrtWeb;
    // Worker threads inside the wasm module need a separate script; one thread keeps it self-contained.
    ort.env.wasm.numThreads = threads ?? 1;
    ort.env.logLevel = 'error';
    return ort;
  });
  return ortWeb;
}

export const onnxruntimeWebBackend: Backend = {
  name: 'web',
  providers: ['wasm'],
  async createSession(model: Uint8Array | string, options: SessionOptions): Promise<Session> {
    const provider: ProviderName = options.provider ?? 'wasm';
    const ort = await load(options.intraOpThreads);
    try {
      const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: options.optimization ?? 'all',
        logSeverityLevel: 4,
      });
      return {
        backend: 'web',
        provider,
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        async run(feeds, fetches) {
          const out = fetches
            ? await session.run(toOrtFeeds(ort.Tensor, feeds), [...fetches])
            : await session.run(toOrtFeeds(ort.Tensor, feeds));
          const result: Record<string, ReturnType<typeof fromOrtTensor>> = {};
          for (const [name, t] of Object.entries(out)) result[name] = fromOrtTensor(t);
          return result;
        },
        release: () => session.release(),
      };
    } catch (err) {
      throw providerStartError('onnxruntime-web', provider, err, options.label);
    }
  },
};
