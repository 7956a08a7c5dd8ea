import { describe, expect, it } from "vitest";
import { z } from "zod";
import { augmentConfigSchema, isIdentityKind, parseAugmentConfig, parseAugmentKind } from "../../../src/data/augment/config.js";
import { RingtrainError } from "../../../src/core/errors.js";

function problem(input: unknown): string {
  try {
    parseAugmentConfig(input, "configs/x.json: augment");
  } catch (e) {
    expect(e).toBeInstanceOf(RingtrainError);
    expect((e as RingtrainError).code).toBe("CONFIG_INVALID");
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe("augment config", () => {
  it("fills absent parameters with 0 (not applied)", () => {
    const c = parseAugmentConfig({ mode: "online", kinds: [{ translate: 0.1 }, {}] });
    expect(c).toEqual({
      mode: "online",
      kinds: [
        { translate: 0.1, rotation: 0, zoom: 0, shear: 0 },
        { translate: 0, rotation: 0, zoom: 0, shear: 0 },
      ],
    });
    expect(isIdentityKind(c.kinds[1]!)).toBe(true);
    expect(isIdentityKind(c.kinds[0]!)).toBe(false);
    expect(isIdentityKind(parseAugmentKind({ elastic: { alpha: 34, sigma: 4 } }))).toBe(false);
  });

  it("accepts the reference study's copies config", () => {
    const c = parseAugmentConfig({
      mode: "copies",
      copies: 9,
      kinds: [{ translate: 0.1 }, { translate: 0.1, zoom: 0.15 }, { translate: 0.1, zoom: 0.15, rotation: 36 }],
    });
    expect(c.mode === "copies" && c.copies).toBe(9);
    expect(c.kinds[2]).toEqual({ translate: 0.1, zoom: 0.15, rotation: 36, shear: 0 });
  });

  it("rejects bad configs naming the file, field and expected range", () => {
    expect(problem({ mode: "online", kinds: [{ translate: 0.6 }] })).toBe(
      "configs/x.json: augment: kinds.0.translate: translate must be in [0, 0.5] (a fraction of the image size)",
    );
    expect(problem({ mode: "online", kinds: [{ translate: 0.1 }, { rotation: -5 }] })).toMatch(/kinds\.1\.rotation: rotation must be in \[0, 180\] degrees/);
    expect(problem({ mode: "online", kinds: [{ zoom: 1 }] })).toMatch(/kinds\.0\.zoom: zoom must be in \[0, 0\.9\]/);
    expect(problem({ mode: "online", kinds: [{ shear: 61 }] })).toMatch(/kinds\.0\.shear: shear must be in \[0, 60\] degrees/);
    expect(problem({ mode: "online", kinds: [{ rotate: 10 }] })).toMatch(/kinds\.0: unknown field\(s\) "rotate"/);
    expect(problem({ mode: "online", kinds: [{ translate: "0.1" }] })).toMatch(/translate must be a number/);
    expect(problem({ mode: "online", kinds: [{ elastic: { alpha: 34 } }] })).toMatch(/kinds\.0\.elastic\.sigma: elastic\.sigma is required/);
    expect(problem({ mode: "online", kinds: [{ elastic: { alpha: 34, sigma: 0 } }] })).toMatch(/elastic\.sigma must be in \(0, 16\] pixels/);
    expect(problem({ mode: "online", kinds: [{ elastic: { alpha: -1, sigma: 4 } }] })).toMatch(/elastic\.alpha must be in \(0, 1000\]/);
    expect(problem({ mode: "online", kinds: [] })).toMatch(/kinds: kinds must list at least one transform kind/);
    expect(problem({ mode: "online" })).toMatch(/kinds: kinds is required/);
    expect(problem({ mode: "offline", kinds: [{}] })).toMatch(/mode: augment mode must be one of "online", "copies"/);
    expect(problem({ kinds: [{}] })).toMatch(/mode: augment mode must be one of/);
    expect(problem({ mode: "copies", kinds: [{}] })).toMatch(/copies: copies is required in mode "copies"/);
    expect(problem({ mode: "copies", copies: 0, kinds: [{}] })).toMatch(/copies: copies must be in \[1, 100\]/);
    expect(problem({ mode: "copies", copies: 2.5, kinds: [{}] })).toMatch(/copies must be an integer/);
    expect(problem({ mode: "online", copies: 3, kinds: [{}] })).toMatch(/unknown field\(s\) "copies"/);
  });

  it("lists every problem at once", () => {
    const msg = problem({ mode: "online", kinds: [{ translate: 1, zoom: 2 }] });
    expect(msg).toMatch(/translate/);
    expect(msg).toMatch(/zoom/);
  });

  it("composes into a larger schema as an optional field", () => {
    const run = z.object({ augment: augmentConfigSchema.optional() }).strict();
    expect(run.parse({}).augment).toBeUndefined();
    expect(run.parse({ augment: { mode: "online", kinds: [{ shear: 5 }] } }).augment?.kinds[0]?.shear).toBe(5);
    expect(run.safeParse({ augment: { mode: "online", kinds: [{ shear: 70 }] } }).success).toBe(false);
  });
});
