/**
 * Schemas of the campaign (`templates/campaign.json`) and of each story's manifest
 * (`templates/stories/<id>/story.json`). Face slots use the shared slot model (engine/fusion/slot.ts).
 * `npm run templates:check` (templates/validate.ts) adds the checks a schema cannot express:
 * geometry inside the frame, minimum face sizes, art files present, ids unique.
 */
import { z } from 'zod';
import { SlotSchema, MAX_SLOTS_PER_FRAME } from '../fusion/slot';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #e63946');
const id = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -');

export const RectSchema = z
  .object({ x: z.number(), y: z.number(), w: z.number().positive(), h: z.number().positive() })
  .strict();

export const BubbleSchema = z
  .object({
    text: z.string().min(1).max(30),
    /** Top-left corner and width of the bubble; its height follows from the text. */
    x: z.number(),
    y: z.number(),
    w: z.number().positive(),
    /** The point the tail points at (a speaker's mouth), or null for no tail. */
    tail: z.tuple([z.number(), z.number()]).nullable().default(null),
    kind: z.enum(['speech', 'thought', 'shout']).default('speech'),
    size: z.number().min(16).max(80).default(38),
  })
  .strict();

export const FrameSchema = z
  .object({
    /** SVG source next to story.json; rendered to rendered/frame-<n>.png (n = index + 1). */
    art: z.string().regex(/^[\w.-]+\.svg$/, 'an .svg file name in the story folder'),
    width: z.number().int(),
    height: z.number().int(),
    /** The frame's caption (Chinese, short): drawn in captionBox at build time. */
    caption: z.string().trim().min(1, 'a caption is required').max(40),
    captionBox: RectSchema,
    bubbles: z.array(BubbleSchema).max(3).default([]),
    slots: z
      .array(SlotSchema)
      .min(1, 'a frame needs a face slot')
      .max(MAX_SLOTS_PER_FRAME, `at most ${MAX_SLOTS_PER_FRAME} face slots per frame`),
  })
  .strict()
  .refine((f) => (f.width === 720 && f.height === 1280) || (f.width === 1080 && f.height === 1080), {
    message: 'frames are 720×1280 or 1080×1080',
    path: ['width'],
  });

export const PosterFrameSchema = RectSchema.extend({
  frame: z.number().int().min(0),
  /** Degrees, a slight tilt gives the page a hand-made look. */
  rotate: z.number().min(-8).max(8).default(0),
}).strict();

export const PosterLayoutSchema = z
  .object({
    width: z.number().int().min(720).max(2160),
    height: z.number().int().min(720).max(4320),
    background: hexColor,
    accent: hexColor,
    /** Story title and its character badge. */
    title: RectSchema,
    frames: z.array(PosterFrameSchema).min(1).max(8),
    /** The user's short caption. */
    caption: RectSchema,
    /** The visible 「AI合成」 label. */
    aiLabel: RectSchema,
    /** The mini-program code (square: w = h). */
    code: RectSchema,
    /** The hint next to the code. */
    codeHint: RectSchema,
  })
  .strict();

export const StorySchema = z
  .object({
    $schema: z.string().optional(),
    id,
    title: z.string().min(1).max(20),
    /** The story's one-character theme word (闯, 快, …). */
    character: z.string().length(1),
    year: z.string().regex(/^\d{4}$/),
    blurb: z.string().max(40).optional(),
    frames: z.array(FrameSchema).min(4, 'a story needs at least 4 frames').max(8),
    poster: PosterLayoutSchema,
    /** The frame used for the square share-card cover. */
    cover: z.object({ frame: z.number().int().min(0) }).strict().default({ frame: 0 }),
  })
  .strict();

export const CampaignStorySchema = z
  .object({
    id,
    char: z.string().length(1),
    title: z.string().min(1).max(20),
    year: z.string().regex(/^\d{4}$/),
    blurb: z.string().min(1).max(40),
    shareTitle: z.string().min(1).max(30),
  })
  .strict();

export const CampaignSchema = z
  .object({
    $schema: z.string().optional(),
    title: z.string().min(1).max(20).default('我的深圳故事'),
    subtitle: z.string().max(40),
    aiLabel: z.string().min(2).max(12),
    retentionMinutes: z.number().int().min(1).max(24 * 60),
    consentVersion: z.string().min(1),
    // Named by the privacy policy as the handler of the data; release builds refuse placeholders
    // (config/operator-contact.ts).
    operator: z
      .object({ name: z.string().min(1).max(60), email: z.string().email().max(120), phone: z.string().min(1).max(40).optional(), address: z.string().min(1).max(120).optional() })
      .strict(),
    colors: z.record(hexColor),
    share: z.object({ title: z.string().min(1).max(30), timelineTitle: z.string().min(1).max(30) }).strict(),
    stories: z.array(CampaignStorySchema).min(1).max(12),
  })
  .strict();

export type Rect = z.infer<typeof RectSchema>;
export type Bubble = z.infer<typeof BubbleSchema>;
export type Frame = z.infer<typeof FrameSchema>;
export type PosterLayout = z.infer<typeof PosterLayoutSchema>;
export type Story = z.infer<typeof StorySchema>;
export type Campaign = z.infer<typeof CampaignSchema>;
