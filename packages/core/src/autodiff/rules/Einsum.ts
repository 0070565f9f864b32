import { HybridocError } from '../../util/errors.js';
import { expandTo, rankOf, unbroadcast } from '../grad-math.js';
import type { GradientRule } from '../rule.js';

/**
 * Einsum: the gradient of operand i is another einsum, of dy with the other operands, into operand i's
 * subscripts; letters summed only within operand i are put back by broadcasting. Repeated letters inside
 * one operand (diagonals) are not supported.
 */
export const Einsum: GradientRule = {
  opType: 'Einsum',
  inputs: ['Inputs...'],
  differentiable: ['Inputs...'],
  nonDifferentiable: [],
  grad: ({ g, dy, inputs, needs, string, node }) => {
    const { terms, out } = parseEinsum(string('equation', ''));
    return inputs.map((t, i) => {
      if (!t || !needs(i)) return null;
      const target = tokens(terms[i]);
      const letters = target.filter((c) => c !== '...');
      if (new Set(letters).size !== letters.length) {
        throw new HybridocError(`Einsum gradient (node '${node.name}'): repeated subscripts in '${terms[i]}' are not supported`);
      }
      const available = new Set([...tokens(out), ...terms.filter((_, j) => j !== i).flatMap(tokens)]);
      const kept = target.filter((c) => available.has(c));
      const others = inputs.filter((_, j) => j !== i).map((o) => o!);
      // ORT wants '...' in the output when an operand has it: keep it, then sum the ellipsis axes away.
      const sumEllipsis = !target.includes('...') && [out, ...terms].some((term) => term.includes('...'));
      const equation = `${[out, ...terms.filter((_, j) => j !== i)].join(',')}->${sumEllipsis ? '...' : ''}${kept.join('')}`;
      let d = g.einsum(equation, [dy, ...others]);
      if (sumEllipsis) {
        const ellipsisRank = rankOf(d, 'Einsum gradient') - kept.length;
        if (ellipsisRank > 0)
          d = g.reduceSum(
            d,
            Array.from({ length: ellipsisRank }, (_, k) => k),
            { keepdims: false },
          );
      }
      if (kept.length !== target.length) {
        const r = rankOf(t, 'Einsum gradient');
        const ellipsisRank = r - letters.length;
        const axes: number[] = [];
        let pos = 0;
        for (const c of target) {
          if (c === '...') pos += ellipsisRank;
          else {
            if (!available.has(c)) axes.push(pos);
            pos++;
          }
        }
        d = expandTo(g, g.unsqueeze(d, axes), t);
      }
      return target.includes('...') ? unbroadcast(g, d, t) : d;
    });
  },
};

/** Subscript tokens: single letters and '...'. */
function tokens(term: string): string[] {
  const out: string[] = [];
  for (let k = 0; k < term.length; k++) {
    if (term.startsWith('...', k)) {
      out.push('...');
      k += 2;
    } else out.push(term[k]);
  }
  return out;
}

/** The operand terms and the output term (implicit output: letters used once, sorted, after any '...'). */
export function parseEinsum(equation: string): { terms: string[]; out: string } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (rhs !== undefined) return { terms, out: rhs };
  const counts = new Map<string, number>();
  for (const c of terms.flatMap(tokens)) if (c !== '...') counts.set(c, (counts.get(c) ?? 0) + 1);
  const once = [...counts].filter(([, n]) => n === 1).map(([c]) => c);
  return { terms, out: (terms.some((t) => t.includes('...')) ? '...' : '') + once.sort().join('') };
}
