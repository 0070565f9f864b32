/**
 * A trained model as `hybridoc train` leaves it (run.json, tokenizer.json, artifacts/, checkpoints/), opened
 * for inference: the session over the artifact set with the chosen checkpoint's parameters, the tokenizer,
 * the label schema and the model's CRF. evaluate, predict and the demo start here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactSession } from '../artifacts/artifact-session.js';
import type { CompiledCrf } from '../decoding/crf-structure.js';
import { loadTokenizer, type LayoutTokenizer } from '../features/tokenizer.js';
import type { ProviderName } from '../runtime/backend.js';
import { loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';
import { modelCrf } from './predict.js';
import { readRunInfo, type RunInfo } from './run-info.js';
import { CHECKPOINT_WEIGHTS_FILE, runPaths, type RunPaths } from './run-layout.js';
import { hasTrainerCheckpoint, readTrainerState, recoverTrainerCheckpoint } from './trainer-checkpoint.js';

/** Which parameters to load: the best validation checkpoint, the last one, or a checkpoint file or directory. */
export type CheckpointChoice = 'best' | 'last' | (string & {});

export interface OpenTrainedModelOptions {
  /** default 'best' (falling back to 'last' when the run has no best yet) */
  checkpoint?: CheckpointChoice;
  device?: ProviderName;
  /** intra-op threads (default: ONNX Runtime's choice) */
  threads?: number;
  /** the label schema (default: the file the run recorded) */
  schema?: LabelSchema;
}

export interface TrainedModel {
  dir: string;
  paths: RunPaths;
  info: RunInfo;
  session: ArtifactSession;
  tokenizer: LayoutTokenizer;
  schema: LabelSchema;
  /** the model's CRF, undefined when it has none */
  crf: CompiledCrf | undefined;
  checkpoint: { kind: 'best' | 'last' | 'file'; path: string; step: number; epoch: number | null };
  release(): Promise<void>;
}

export async function openTrainedModel(dir: string, options: OpenTrainedModelOptions = {}): Promise<TrainedModel> {
  const paths = runPaths(dir);
  const info = readRunInfo(paths.run);
  if (!info) throw new HybridocError(`${paths.run}: missing; ${dir} is not a training output directory (made by hybridoc train)`);
  recoverTrainerCheckpoint(paths.best);
  recoverTrainerCheckpoint(paths.last);
  const choice = options.checkpoint ?? 'best';
  let kind: 'best' | 'last' | 'file';
  let ckptDir: string | undefined;
  let file: string;
  if (choice === 'best' || choice === 'last') {
    kind = choice === 'best' && hasTrainerCheckpoint(paths.best) ? 'best' : 'last';
    if (!hasTrainerCheckpoint(kind === 'best' ? paths.best : paths.last)) {
      throw new HybridocError(`${paths.checkpoints}: no checkpoint yet; train first (hybridoc train ... --out ${dir})`);
    }
    ckptDir = kind === 'best' ? paths.best : paths.last;
    file = join(ckptDir, CHECKPOINT_WEIGHTS_FILE);
  } else {
    kind = 'file';
    file = existsSync(join(choice, CHECKPOINT_WEIGHTS_FILE)) ? join(choice, CHECKPOINT_WEIGHTS_FILE) : choice;
    if (!existsSync(file)) throw new HybridocError(`${choice}: no such checkpoint file or directory`);
  }
  const schema = options.schema ?? loadLabelSchema(info.schema.file);
  if (schema.hash !== info.schema.hash) {
    throw new HybridocError(
      `${paths.run}: schema.hash: the model was trained for label schema ${info.schema.hash}, ${schema.file} is ${schema.hash}`,
    );
  }
  const tokenizer = loadTokenizer(paths.tokenizer);
  const session = await ArtifactSession.open(paths.artifacts, {
    checkpoint: file,
    provider: options.device ?? 'cpu',
    ...(options.threads ? { intraOpThreads: options.threads } : {}),
  });
  const epoch = ckptDir ? (readTrainerState(ckptDir).evals.at(-1)?.epoch ?? null) : null;
  return {
    dir: paths.dir,
    paths,
    info,
    session,
    tokenizer,
    schema,
    crf: modelCrf(session, schema),
    checkpoint: { kind, path: file, step: session.step, epoch },
    release: () => session.release(),
  };
}
