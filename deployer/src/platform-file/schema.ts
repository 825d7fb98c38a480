// The platform file (shoal.yaml): which releases make the platform, from which charts, with
// which values, in which order; environments overlay them. Parsed strictly: a typo is an error.
import { z } from 'zod';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, -)')
  .max(53, 'must be at most 53 characters (like helm release names)');

/** An image override: written into the chart's `image.repository` / `image.tag` values. */
export const imageSchema = z.strictObject({
  repository: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
});

/** Values the chart gets: files (relative to the platform file) and inline values, files first. */
const valuesFields = {
  valuesFiles: z.array(z.string().min(1)).optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  image: imageSchema.optional(),
};

/** One release as written in the file. */
export const releaseSchema = z.strictObject({
  name: dnsLabel,
  /** A chart directory, relative to the platform file. */
  chart: z.string().min(1),
  namespace: dnsLabel.optional(),
  dependsOn: z.array(dnsLabel).optional(),
  /** Seconds to wait for the release to become healthy (default 300). */
  timeoutSeconds: z.number().int().positive().optional(),
  ...valuesFields,
});

/** What an environment changes in one release. */
export const releaseOverlaySchema = z.strictObject({
  namespace: dnsLabel.optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  ...valuesFields,
});

/**
 * How `shoal up` builds the service images for an environment: `args` are passed to every
 * `docker build` as `--build-arg NAME=value` (e.g. NODE_IMAGE, the base image, where no
 * registry answers) and go into the images' content-hash tags. SERVICE is shoal's own: it
 * picks the service, one image each, so the file may not set it.
 */
export const buildSchema = z.strictObject({
  args: z
    .record(
      z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]*$/,
          'must be a build argument name (letters, digits and _, not starting with a digit)',
        )
        .refine((name) => name !== 'SERVICE', {
          message: 'SERVICE is set by shoal up for each image; it cannot be a build argument here',
        }),
      z
        .string({ error: 'must be a string (quote numbers and booleans)' })
        .regex(/^[^\n\r]*$/, 'must be a single line'),
    )
    .optional(),
});

/** An environment: a namespace and per-release overlays. */
export const environmentSchema = z.strictObject({
  namespace: dnsLabel.optional(),
  /** Values every release of this environment gets (before its own). */
  values: z.record(z.string(), z.unknown()).optional(),
  releases: z.record(z.string(), releaseOverlaySchema).optional(),
  build: buildSchema.optional(),
});

/** How one key of a generated Secret gets its value. */
export const secretKeySchema = z.union([
  /** `random: N`: N random bytes, base64url; made once, never again. */
  z.strictObject({ random: z.number().int().min(8).max(512) }),
  /** `value: text`: a fixed first value (an operator may change it in the cluster later). */
  z.strictObject({ value: z.string() }),
  /** `template: text`: `{{ secret.key }}` placeholders filled from Secrets listed earlier; recomputed every deploy. */
  z.strictObject({ template: z.string() }),
]);

/** A Secret the platform needs that no chart makes (client credentials, the first admin). */
export const generatedSecretSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
      'must be a DNS subdomain (lowercase letters, digits, - and .)',
    )
    .max(253),
  /** Default: the platform's namespace. */
  namespace: dnsLabel.optional(),
  data: z.record(
    z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a valid Secret key'),
    secretKeySchema,
  ),
});

/** The whole file. */
export const platformFileSchema = z.strictObject({
  apiVersion: z.literal('shoal.dev/v1'),
  /** Default namespace of every release. */
  namespace: dnsLabel.default('shoal'),
  /** The environment used when --env is not given. */
  defaultEnvironment: z.string().optional(),
  releases: z.array(releaseSchema).min(1, 'must list at least one release'),
  /** Secrets generated on the first deploy, before any release, and never regenerated. */
  secrets: z.array(generatedSecretSchema).optional(),
  environments: z.record(z.string(), environmentSchema).optional(),
});

export type PlatformFileInput = z.input<typeof platformFileSchema>;
export type PlatformFileSpec = z.output<typeof platformFileSchema>;
export type ReleaseSpec = z.output<typeof releaseSchema>;
export type ReleaseOverlay = z.output<typeof releaseOverlaySchema>;
export type GeneratedSecretSpec = z.output<typeof generatedSecretSchema>;
