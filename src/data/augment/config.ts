/**
 * The `augment` section of a run config: which random transforms are applied
 * to training samples, and whether they make fresh variants every epoch
 * (`online`) or a fixed, virtually expanded training set (`copies`).
 *
 * ```json
 * { "mode": "online", "kinds": [{ "translate": 0.1, "rotation": 15 }] }
 * { "mode": "copies", "copies": 9, "kinds": [{ "translate": 0.1 },
 *     { "translate": 0.1, "zoom": 0.15 }, { "translate": 0.1, "zoom": 0.15, "rotation": 36 }] }
 * ```
 *
 * Validated once at start-up; unknown fields are errors (they are usually typos).
 */
import { z } from "zod";
import { parseWith } from "../../core/zod-issues.js";

/** A finite number in [0, max]; the message names the field and its unit. */
function bounded(field: string, max: number, unit: string) {
  const range = `must be in [0, ${max}]${unit}`;
  return z
    .number({ invalid_type_error: `${field} must be a number${unit}`, required_error: `${field} is required` })
    .finite({ message: `${field} must be finite` })
    .gte(0, { message: `${field} ${range}` })
    .lte(max, { message: `${field} ${range}` });
}

/** A finite number in (0, max]. */
function positive(field: string, max: number, unit: string) {
  const range = `must be in (0, ${max}]${unit}`;
  return z
    .number({ invalid_type_error: `${field} must be a number${unit}`, required_error: `${field} is required` })
    .finite({ message: `${field} must be finite` })
    .gt(0, { message: `${field} ${range}` })
    .lte(max, { message: `${field} ${range}` });
}

/** Largest elastic `sigma` accepted: its kernel spans 6·sigma pixels, and a field smoother than that is a translation. */
const MAX_ELASTIC_SIGMA = 16;
/** Largest `copies` accepted: the sampler permutes (copies+1)·N indices each epoch. */
const MAX_COPIES = 100;

/**
 * Elastic distortion (Simard, Steinkraus & Platt 2003): two fields of
 * independent uniform [-1, 1] noise, one per axis, smoothed by a Gaussian of
 * standard deviation `sigma` pixels and multiplied by `alpha`, displace every
 * pixel. Simard used alpha 34, sigma 4 on MNIST.
 */
const elasticSchema = z
  .object({
    /** displacement scale in pixels per unit of smoothed noise */
    alpha: positive("elastic.alpha", 1000, ""),
    /** Gaussian standard deviation in pixels: larger is smoother */
    sigma: positive("elastic.sigma", MAX_ELASTIC_SIGMA, " pixels"),
  })
  .strict();

/**
 * One kind of random transform. Each present parameter is drawn per sample,
 * uniformly in its range; an absent (or 0) one is not applied, so `{}` is the
 * identity (useful in `online` mode to keep some samples unchanged). All are
 * composed about the image centre into one inverse mapping with bilinear
 * sampling and 0 outside the image.
 */
const augmentKindSchema = z
  .object({
    /** shift by up to ±translate·width horizontally and ±translate·height vertically (independent, not rounded) */
    translate: bounded("translate", 0.5, " (a fraction of the image size)").default(0),
    /** rotate by up to ±rotation degrees (positive is counter-clockwise on screen) */
    rotation: bounded("rotation", 180, " degrees").default(0),
    /** scale the content by a factor drawn in [1 − zoom, 1 + zoom] (> 1 enlarges) */
    zoom: bounded("zoom", 0.9, " (a fraction)").default(0),
    /** horizontal shear by up to ±shear degrees: row y moves by tan(angle)·(y − centre) */
    shear: bounded("shear", 60, " degrees").default(0),
    elastic: elasticSchema.optional(),
  })
  .strict();

function kindsSchema() {
  return z
    .array(augmentKindSchema, { invalid_type_error: "kinds must be an array of transform kinds", required_error: "kinds is required" })
    .min(1, { message: "kinds must list at least one transform kind, e.g. [{ \"translate\": 0.1 }]" });
}

/** Fresh variants every epoch: each sample, each epoch, gets a kind (chosen by its seeded stream) and fresh parameters. */
const onlineSchema = z
  .object({
    mode: z.literal("online"),
    kinds: kindsSchema(),
  })
  .strict();

/**
 * A fixed expanded set of (copies+1)·N samples, never materialised: index
 * i < N is original i; index c·N + j (c in 1..copies) is copy c of original j,
 * made with kinds[(c − 1) mod kinds.length] and the same parameters every epoch.
 */
const copiesSchema = z
  .object({
    mode: z.literal("copies"),
    copies: z
      .number({ invalid_type_error: "copies must be a number", required_error: "copies is required in mode \"copies\"" })
      .int({ message: "copies must be an integer" })
      .gte(1, { message: `copies must be in [1, ${MAX_COPIES}]` })
      .lte(MAX_COPIES, { message: `copies must be in [1, ${MAX_COPIES}]` }),
    kinds: kindsSchema(),
  })
  .strict();

/** Names of the augmentation modes. */
const AUGMENT_MODES = ["online", "copies"] as const;

/** Validates an `augment` config and fills in defaults. */
export const augmentConfigSchema = z.discriminatedUnion("mode", [onlineSchema, copiesSchema], {
  errorMap: (issue, ctx) =>
    issue.code === "invalid_union_discriminator"
      ? { message: `augment mode must be one of ${AUGMENT_MODES.map((m) => `"${m}"`).join(", ")}` }
      : { message: ctx.defaultError },
});

/** A validated augment config with every field present. */
export type AugmentConfig = z.output<typeof augmentConfigSchema>;
/** What a config file may contain. */
export type AugmentConfigInput = z.input<typeof augmentConfigSchema>;
/** One validated transform kind (absent parameters are 0). */
export type AugmentKind = z.output<typeof augmentKindSchema>;
export type AugmentKindInput = z.input<typeof augmentKindSchema>;

/**
 * Validates `input` (e.g. the `augment` field of a config file).
 *
 * @param where names the source in errors, e.g. `configs/mnist.json: augment`.
 * @throws RingtrainError CONFIG_INVALID listing every problem with its field.
 */
export function parseAugmentConfig(input: unknown, where = "augment"): AugmentConfig {
  return parseWith(augmentConfigSchema, input, where);
}

/** Validates one kind on its own (benchmarks, previews); same errors as {@link parseAugmentConfig}. */
export function parseAugmentKind(input: unknown, where = "augment kind"): AugmentKind {
  return parseWith(augmentKindSchema, input, where);
}

/** True when `kind` changes nothing (every parameter 0, no elastic). */
export function isIdentityKind(kind: AugmentKind): boolean {
  return kind.translate === 0 && kind.rotation === 0 && kind.zoom === 0 && kind.shear === 0 && kind.elastic === undefined;
}
