/** The onnxruntime-node adapter: the one module that imports onnxruntime-node. */
import * as ort from 'onnxruntime-node';
import type { Backend, ProviderName, Session, SessionOptions } from './backend.js';
import { providerStartError } from './provider-errors.js';
import { fromOrtTensor, toOrtFeeds } from './ort-tensors.js';

ort.env.logLevel = 'fatal';

class NodeSession implements Session {
  readonly backend = 'node';
  constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
  ) {}
  get inputNames() {
    return this.session.inputNames;
  }
  get outputNames() {
    return this.session.outputNames;
  }
  async run(feeds: Parameters<Session['run']>[0], fetches?: readonly string[]) {
    const out = fetches
      ? await this.session.run(toOrtFeeds(ort.Tensor, feeds), [...fetches])
      : await this.session.run(toOrtFeeds(ort.Tensor, feeds));
    const result: Awaited<ReturnType<Session['run']>> = {};
    for (const [name, t] of Object.entries(out)) result[name] = fromOrtTensor(t);
    return result;
  }
  async release() {
    await this.session.release();
  }
}

export const onnxruntimeNodeBackend: Backend = {
  name: 'node',
  providers: ['cpu', 'cuda', 'webgpu'],
  async createSession(model: Uint8Array | string, options: SessionOptions): Promise<Session> {
    const provider = options.provider ?? 'cpu';
    const so: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: options.optimization ?? 'all',
      logSeverityLevel: 4,
    };
    if (options.intraOpThreads) so.intraOpNumThreads = options.intraOpThreads;
    if (options.interOpThreads) so.interOpNumThreads = options.interOpThreads;
    try {
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, so) : await ort.InferenceSession.create(model, so);
      return new NodeSession(session, provider);
    } catch (err) {
      throw providerStartError('onnxruntime-node', provider, err, options.label);
    }
  },
};
