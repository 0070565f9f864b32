/**
 * Worker-thread entry of `predictBatch({ workers: K })`: loads the model once, then predicts the inputs it is
 * handed (a few at a time, so reading one overlaps the ONNX run of another) and posts one line per input.
 *
 *   main -> worker   { type: 'predict', input } | { type: 'stop' }
 *   worker -> main   { type: 'ready' } | { type: 'fatal', message } | { type: 'line', line }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { configureLogging } from '../util/logger.js';
import { errorLine, predictLine, type PredictLineOptions } from './predict-line.js';
import { Predictor, type PredictorOptions } from './predictor.js';

export interface PredictWorkerSetup {
  model: string;
  predictor: PredictorOptions;
  line: PredictLineOptions;
  logLevel?: string;
}

export type WorkerRequest = { type: 'predict'; input: string } | { type: 'stop' };
export type WorkerReply =
  { type: 'ready' } | { type: 'fatal'; message: string } | { type: 'line'; line: import('./predict-line.js').PredictLine };

const setup = workerData as PredictWorkerSetup;
const port = parentPort!;
if (setup.logLevel) configureLogging({ level: setup.logLevel as 'info', json: true });

const post = (m: WorkerReply) => port.postMessage(m);

try {
  const predictor = await Predictor.load(setup.model, setup.predictor);
  let pending = 0;
  let stopping = false;
  const finish = async () => {
    await predictor.close();
    port.close();
  };
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'stop') {
      stopping = true;
      if (pending === 0) void finish();
      return;
    }
    pending++;
    void predictLine(predictor, m.input, setup.line).then((line) => {
      post({ type: 'line', line });
      if (--pending === 0 && stopping) void finish();
    });
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'fatal', message: errorLine(err) });
  port.close();
}
