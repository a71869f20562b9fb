import { describe, expect, it } from "vitest";
import { durationToMs } from "@/lib/server/duration";

describe("durationToMs", () => {
  it.each([
    ["24h", 86_400_000],
    ["15m", 900_000],
    ["2s", 2_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
  ])("%s is %d ms", (text, ms) => {
    expect(durationToMs(text)).toBe(ms);
  });

  it.each(["", "10", "h", "1d", "-1s", "1 h", "1h 30m", "abc", "1e3s"])("%j is not a duration", (text) => {
    expect(durationToMs(text)).toBeUndefined();
  });
});
