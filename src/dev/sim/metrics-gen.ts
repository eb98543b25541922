// Plausible AudienceQualityMetrics (a job's `metrics` member): relevance falls as the audience
// grows; recall in 0.2..0.6.
import type { Rng } from './prng.js';

interface AudienceQualityMetrics {
  relevanceMetrics: Array<{ audienceSize: { type: string; value: number }; score: number }>;
  recallMetric: number;
}

const SIZES: ReadonlyArray<{ type: 'ABSOLUTE' | 'PERCENTAGE'; value: number }> = [
  { type: 'ABSOLUTE', value: 10_000 },
  { type: 'ABSOLUTE', value: 100_000 },
  { type: 'ABSOLUTE', value: 1_000_000 },
  { type: 'PERCENTAGE', value: 5 },
  { type: 'PERCENTAGE', value: 20 },
];

export function generateMetrics(rng: Rng): AudienceQualityMetrics {
  const top = 0.7 + rng() * 0.25;
  return {
    relevanceMetrics: SIZES.map((audienceSize, i) => ({
      audienceSize: { ...audienceSize },
      score: round3(Math.max(0.05, top - i * (0.08 + rng() * 0.04))),
    })),
    recallMetric: round3(0.2 + rng() * 0.4),
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
