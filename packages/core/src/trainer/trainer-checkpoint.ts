/**
 * Trainer checkpoints: a directory holding checkpoint.safetensors (parameters, Adam's moments, the optimizer
 * step) and trainer-state.json (where in the data the run stands, early-stopping bookkeeping), replaced
 * atomically as a whole, so a process killed at any moment, also in the middle of writing one, leaves the
 * previous complete checkpoint or the new complete one (training/atomic-files.ts).
 *
 * Test hook: with HYBRIDOC_TEST_KILL_IN_CHECKPOINT=N in the environment, the Nth checkpoint this process
 * writes SIGKILLs the process after the weights are in the temporary directory and before the write is
 * finished, so tests can check that a kill in mid-write loses nothing. Unset, it does nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteDirectory, isCompleteDirectory, recoverAtomicDirectory } from '../training/atomic-files.js';
import { readTrainingCheckpoint, writeTrainingCheckpoint, type TrainingState } from '../artifacts/training-checkpoint.js';
import type { ArtifactManifest } from '../artifacts/manifest.js';
import { HybridocError } from '../util/errors.js';
import { CHECKPOINT_WEIGHTS_FILE, TRAINER_STATE_FILE } from './run-layout.js';

export const TRAINER_STATE_FORMAT = 'hybridoc-trainer-state/1';

/** Why a run stopped. */
export type StopReason = 'completed' | 'early_stopping' | 'max_steps' | 'interrupted';

/** One validation result. */
export interface EvalSummary {
  epoch: number;
  step: number;
  /** micro entity F1 on val (strict spans); NaN when there was no val split */
  val_entity_f1: number;
  val_precision: number;
  val_recall: number;
  val_documents: number;
}

/** Where a run stands: enough to continue exactly where it was. */
export interface TrainerState {
  format: typeof TRAINER_STATE_FORMAT;
  /** the run identity this state belongs to (run.json's) */
  runId: string;
  /** optimizer steps done */
  step: number;
  /** epoch to train next (or in progress), counted from 1 */
  epoch: number;
  /** index of the next batch of `epoch` in the sampler's order */
  batchIndex: number;
  /** total optimizer steps the LR schedule spans */
  totalSteps: number;
  bestValF1: number | null;
  bestEpoch: number | null;
  bestStep: number | null;
  /** evaluations since the last improvement */
  epochsWithoutImprovement: number;
  evals: EvalSummary[];
  /** set when the run is over */
  finished: StopReason | null;
  /** training seconds before this checkpoint, summed over all processes of the run */
  elapsedSeconds: number;
}

let checkpointsWritten = 0;

function killHook(): number {
  const v = process.env.HYBRIDOC_TEST_KILL_IN_CHECKPOINT;
  if (!v) return 0;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** Write a checkpoint directory atomically: weights + optimizer state, then the trainer state. */
export async function writeTrainerCheckpoint(
  dir: string,
  layout: Pick<ArtifactManifest, 'dtype' | 'parameters'>,
  training: TrainingState,
  state: TrainerState,
): Promise<void> {
  if (training.step !== state.step)
    throw new HybridocError(`${dir}: checkpoint step ${training.step} does not match trainer state step ${state.step}`);
  const n = ++checkpointsWritten;
  const killAt = killHook();
  await atomicWriteDirectory(dir, (tmp) => {
    writeTrainingCheckpoint(join(tmp, CHECKPOINT_WEIGHTS_FILE), layout, training, { 'hybridoc.run_id': state.runId });
    if (killAt === n) process.kill(process.pid, 'SIGKILL');
    writeFileSync(join(tmp, TRAINER_STATE_FILE), JSON.stringify(state, null, 2) + '\n');
  });
}

/** Bring a checkpoint directory back to its last complete version after a crash (see atomic-files.ts). */
export function recoverTrainerCheckpoint(dir: string): void {
  recoverAtomicDirectory(dir);
}

/** True when `dir` holds a complete checkpoint. */
export function hasTrainerCheckpoint(dir: string): boolean {
  return existsSync(dir) && isCompleteDirectory(dir) && existsSync(join(dir, TRAINER_STATE_FILE));
}

/** Read the trainer state of a checkpoint directory. */
export function readTrainerState(dir: string): TrainerState {
  const file = join(dir, TRAINER_STATE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HybridocError(`${file}: cannot read trainer state (${(err as Error).message})`);
  }
  const s = raw as Partial<TrainerState>;
  if (s?.format !== TRAINER_STATE_FORMAT)
    throw new HybridocError(`${file}: format: expected ${TRAINER_STATE_FORMAT}, got ${JSON.stringify(s?.format)}`);
  for (const k of ['step', 'epoch', 'batchIndex', 'totalSteps'] as const) {
    if (!Number.isSafeInteger(s[k]) || (s[k] as number) < 0)
      throw new HybridocError(`${file}: ${k}: expected an integer >= 0, got ${JSON.stringify(s[k])}`);
  }
  // JSON has no NaN: evaluations without a val split were written as null
  s.evals = (s.evals ?? []).map((e) => ({
    ...e,
    val_entity_f1: e.val_entity_f1 ?? NaN,
    val_precision: e.val_precision ?? NaN,
    val_recall: e.val_recall ?? NaN,
  }));
  return s as TrainerState;
}

/** Read a checkpoint directory: the parameters and optimizer state (checked against the layout) and the trainer state. */
export function readTrainerCheckpoint(
  dir: string,
  layout: Pick<ArtifactManifest, 'dtype' | 'parameters'>,
): { training: TrainingState; state: TrainerState } {
  const state = readTrainerState(dir);
  const training = readTrainingCheckpoint(join(dir, CHECKPOINT_WEIGHTS_FILE), layout);
  if (training.step !== state.step) {
    throw new HybridocError(
      `${dir}: ${CHECKPOINT_WEIGHTS_FILE} is at step ${training.step} but ${TRAINER_STATE_FILE} at step ${state.step}`,
    );
  }
  return { training, state };
}
