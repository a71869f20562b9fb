// Go-style durations, as Kratos's configuration writes them: "24h", "15m", "1h30m", "2s", "500ms".

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a duration such as "1h30m", or undefined when it is not one. */
export function durationToMs(text: string): number | undefined {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) : null;
  if (!parts) return undefined;
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(part) ?? [];
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
