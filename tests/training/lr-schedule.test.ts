import { checkLrSchedule, learningRateAt, lrScheduleFor, type LrSchedule } from '../../packages/core/src/training/lr-schedule.js';
import { loadTrainingConfig } from '../../packages/core/src/training/training-config.js';

const base: LrSchedule = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, decay: 'linear', minLrRatio: 0 };
const at = (s: Partial<LrSchedule>, step: number) => learningRateAt({ ...base, ...s }, step);

describe('learningRateAt', () => {
  test('linear warmup: step s gets peak x (s + 1) / warmup, the peak at the last warmup step', () => {
    expect(at({}, 0)).toBeCloseTo(1e-4, 15);
    expect(at({}, 4)).toBeCloseTo(5e-4, 15);
    expect(at({}, 9)).toBeCloseTo(1e-3, 15);
  });

  test('linear decay to 0: the peak right after warmup, half way at the middle, the floor at totalSteps', () => {
    expect(at({}, 10)).toBeCloseTo(1e-3, 15);
    expect(at({}, 60)).toBeCloseTo(5e-4, 15);
    expect(at({}, 109)).toBeCloseTo(1e-5, 15); // the last step still learns
    expect(at({}, 110)).toBe(0);
    expect(at({}, 1000)).toBe(0);
  });

  test('cosine decay', () => {
    const c = { decay: 'cosine' as const };
    expect(at(c, 10)).toBeCloseTo(1e-3, 15);
    expect(at(c, 35)).toBeCloseTo((1e-3 * (1 + Math.cos(Math.PI / 4))) / 2, 15); // progress 1/4
    expect(at(c, 60)).toBeCloseTo(5e-4, 15);
    expect(at(c, 85)).toBeCloseTo((1e-3 * (1 + Math.cos((3 * Math.PI) / 4))) / 2, 15);
    expect(at(c, 110)).toBeCloseTo(0, 15);
  });

  test('a floor: decay ends at minLrRatio x peak', () => {
    expect(at({ minLrRatio: 0.1 }, 60)).toBeCloseTo(5.5e-4, 15);
    expect(at({ minLrRatio: 0.1 }, 110)).toBeCloseTo(1e-4, 15);
    expect(at({ minLrRatio: 0.1, decay: 'cosine' }, 500)).toBeCloseTo(1e-4, 15);
  });

  test('constant after warmup, and no warmup at all', () => {
    expect(at({ decay: 'constant' }, 5)).toBeCloseTo(6e-4, 15);
    expect(at({ decay: 'constant' }, 100)).toBe(1e-3);
    expect(at({ warmupSteps: 0 }, 0)).toBe(1e-3);
    expect(at({ warmupSteps: 0 }, 55)).toBeCloseTo(5e-4, 15);
  });

  test('warmup rises, decay never rises, everything stays within [floor, peak]', () => {
    for (const decay of ['linear', 'cosine'] as const) {
      const s = { ...base, decay, minLrRatio: 0.05, warmupSteps: 7, totalSteps: 97 };
      let prev = 0;
      for (let k = 0; k < 120; k++) {
        const lr = learningRateAt(s, k);
        if (k < 7) expect(lr).toBeGreaterThan(prev);
        else if (k > 7) expect(lr).toBeLessThanOrEqual(prev + 1e-18);
        expect(lr).toBeLessThanOrEqual(1e-3 + 1e-18);
        if (k >= 7) expect(lr).toBeGreaterThanOrEqual(5e-5 - 1e-18);
        prev = lr;
      }
    }
  });

  test('a pure function of the step (a resumed run gets the same rates)', () => {
    const a = Array.from({ length: 50 }, (_, k) => at({ decay: 'cosine' }, k));
    const b = Array.from({ length: 50 }, (_, k) => at({ decay: 'cosine' }, 49 - k)).reverse();
    expect(b).toEqual(a);
  });

  test('bad steps and schedules throw', () => {
    expect(() => at({}, -1)).toThrow(RangeError);
    expect(() => at({}, 1.5)).toThrow(RangeError);
    expect(() => checkLrSchedule({ ...base, peak: 0 })).toThrow(/peak/);
    expect(() => checkLrSchedule({ ...base, totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => checkLrSchedule({ ...base, minLrRatio: 1 })).toThrow(/minLrRatio/);
  });
});

test('lrScheduleFor: the training config gives peak, warmup and decay', () => {
  const seed = loadTrainingConfig('seed');
  const s = lrScheduleFor(seed.training, 132820);
  expect(s).toEqual({ peak: 5e-5, warmupSteps: 1000, totalSteps: 132820, decay: 'linear', minLrRatio: 0 });
  expect(learningRateAt(s, 999)).toBeCloseTo(5e-5, 18);
  const tiny = loadTrainingConfig('tiny', {
    overrides: { 'training.warmup_fraction': 0.25, 'training.lr_schedule': { decay: 'cosine', min_lr_ratio: 0.1 } },
  });
  const t = lrScheduleFor(tiny.training, 30);
  expect(t).toMatchObject({ warmupSteps: 8, totalSteps: 30, decay: 'cosine', minLrRatio: 0.1 });
  expect(learningRateAt(t, 0)).toBeCloseTo(tiny.training.learning_rate / 8, 15);
});
