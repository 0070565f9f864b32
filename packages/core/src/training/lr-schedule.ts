/**
 * The learning-rate schedule: linear warmup from 0 to the peak over `warmupSteps`, then linear or cosine
 * decay from the peak to the floor (`minLrRatio` x peak) at `totalSteps`, or constant at the peak. A pure
 * function of the optimizer step, so a resumed run gets exactly the rates an uninterrupted one got.
 *
 * Steps are counted from 0: `learningRateAt(s, 0)` is the rate of the first optimizer step. Warmup gives
 * step s the rate peak x (s + 1) / warmupSteps, so the first step already moves the weights and step
 * warmupSteps - 1 is at the peak. Decay then runs as Hugging Face's schedules do: with
 * progress = (s - warmupSteps) / (totalSteps - warmupSteps), linear gives floor + (peak - floor) x (1 - progress)
 * and cosine floor + (peak - floor) x (1 + cos(pi x progress)) / 2, so the floor is reached at step totalSteps,
 * one past the last step, and the last step still learns. Steps at or past totalSteps stay on the floor.
 */
import type { LrDecay, TrainingSection } from './training-config.js';
import { warmupStepsFor } from './training-config.js';

export interface LrSchedule {
  /** peak learning rate */
  peak: number;
  /** optimizer steps of linear warmup (0: start at the peak) */
  warmupSteps: number;
  /** optimizer steps of the whole run */
  totalSteps: number;
  decay: LrDecay;
  /** floor as a fraction of the peak */
  minLrRatio: number;
}

/** The learning rate of optimizer step `step` (counted from 0). */
export function learningRateAt(schedule: LrSchedule, step: number): number {
  const { peak, warmupSteps, totalSteps, decay, minLrRatio } = schedule;
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`learningRateAt: step must be an integer >= 0, got ${step}`);
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (decay === 'constant') return peak;
  const floor = peak * minLrRatio;
  const decaySteps = totalSteps - warmupSteps;
  const progress = decaySteps <= 0 ? 1 : Math.min(1, (step - warmupSteps) / decaySteps);
  if (decay === 'linear') return floor + (peak - floor) * (1 - progress);
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Check a schedule's numbers; throws a RangeError naming the bad one. */
export function checkLrSchedule(schedule: LrSchedule): LrSchedule {
  const { peak, warmupSteps, totalSteps, minLrRatio } = schedule;
  if (!(peak > 0) || !Number.isFinite(peak)) throw new RangeError(`lr schedule: peak must be > 0, got ${peak}`);
  if (!Number.isSafeInteger(warmupSteps) || warmupSteps < 0)
    throw new RangeError(`lr schedule: warmupSteps must be an integer >= 0, got ${warmupSteps}`);
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1)
    throw new RangeError(`lr schedule: totalSteps must be an integer >= 1, got ${totalSteps}`);
  if (!(minLrRatio >= 0 && minLrRatio < 1)) throw new RangeError(`lr schedule: minLrRatio must be in [0, 1), got ${minLrRatio}`);
  return schedule;
}

/** The schedule a training section gives for a run of `totalSteps` optimizer steps. */
export function lrScheduleFor(
  training: Pick<TrainingSection, 'learning_rate' | 'warmup_steps' | 'warmup_fraction' | 'lr_schedule'>,
  totalSteps: number,
): LrSchedule {
  return checkLrSchedule({
    peak: training.learning_rate,
    warmupSteps: warmupStepsFor(training, totalSteps),
    totalSteps,
    decay: training.lr_schedule.decay,
    minLrRatio: training.lr_schedule.min_lr_ratio,
  });
}
