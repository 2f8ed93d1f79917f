/**
 * The face-slot model shared by templates (authoring, checks) and the fusion engine.
 *
 * A slot is a pose of the canonical face mesh inside a frame: artwork needs no hand-placed
 * landmarks, the slot's 468 target points come from projecting the mesh with this pose.
 *
 * Conventions (image pixels, y pointing down):
 * - `center`: centre of the face oval's bounding box (forehead top to chin, cheek to cheek).
 * - `width`: width of the face oval in pixels for a frontal pose (cheek to cheek, ears excluded);
 *   the oval is about 1.3 × width tall (forehead to chin).
 * - `yaw` > 0: the face turns towards the viewer's right (the character's left). Degrees.
 * - `pitch` > 0: the face looks up. Degrees.
 * - `roll` > 0: the face is rotated clockwise on screen. Degrees.
 */
import { z } from 'zod';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #f2c7a5');

export const SlotPoseSchema = z
  .object({
    center: z.tuple([z.number(), z.number()]),
    width: z.number().positive(),
    yaw: z.number().min(-45).max(45).default(0),
    pitch: z.number().min(-30).max(30).default(0),
    roll: z.number().min(-45).max(45).default(0),
  })
  .strict();

/** How the fused face is drawn into the comic; every key is optional with a sensible default. */
export const SlotStyleSchema = z
  .object({
    /** Edge-preserving smoothing strength, 0 = photo detail, 1 = flat comic skin. */
    smoothing: z.number().min(0).max(1).default(0.6),
    /**
     * Tone bands of the drawn face: this many bands per 48 % of the skin's lightness, on both sides
     * of the skin's own tone (4 → 12 % steps; fewer, wider bands cost likeness, see docs/fusion.md
     * "Comic face"); 0 turns banding off (the user's own continuous tones).
     */
    toneBands: z.number().int().min(0).max(8).default(4),
    /** Ink strength: the lines drawn from the user's own edges (lids, nostrils, lips, glasses) and the jaw stroke. */
    ink: z.number().min(0).max(1).default(0.7),
    /**
     * Template strokes over the features themselves (eye lids, lips, nose base, filled brows), 0–1 of `ink`. Default 0:
     * measured on ../shared/faces (docs/fusion.md "Identity"), drawn feature lines replace the
     * user's own eyes, brows and mouth with the same strokes for everyone and cost most of the
     * likeness (rank-1 0.81 → 0.33 at 1); the features are drawn from the user's own detail instead.
     */
    featureInk: z.number().min(0).max(1).default(0),
    /**
     * Screen-tone shading: the drawn face's shadows printed as the art's 45° dot screen (1), or as
     * flat darker bands (0); in between, a mix of the two. Needs `toneBands` > 0. See docs/fusion.md
     * "Eighth round".
     */
    halftone: z.number().min(0).max(1).default(1),
    inkColor: hexColor.default('#1b1b1f'),
    /** The frame's skin colour: colour transfer moves the user's skin towards it. */
    skinTone: hexColor.default('#f3c9a4'),
    /** Saturation multiplier after colour transfer. */
    saturation: z.number().min(0).max(2).default(1),
  })
  .strict();

export const SlotSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    /** `hero` takes the user's face; `extra` keeps its drawn face unless a friend's face is given. */
    role: z.enum(['hero', 'extra']),
    pose: SlotPoseSchema,
    style: SlotStyleSchema.default({}),
    /**
     * The figure's drawn skin away from its head (hands, bare forearms) as capsules
     * [x1, y1, x2, y2, radius] in frame px: it takes the fused face's tone like the ears and neck
     * (engine/fusion/drawn-skin.ts). Only pixels of the slot's `skinTone` family inside them change.
     */
    bodySkin: z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number().positive()])).max(8).optional(),
    /** For templates made from a photo: 468 detected points instead of a projected pose. */
    points: z.array(z.tuple([z.number(), z.number()])).length(468).optional(),
  })
  .strict();

export type SlotPose = z.infer<typeof SlotPoseSchema>;
export type SlotStyle = z.infer<typeof SlotStyleSchema>;
export type Slot = z.infer<typeof SlotSchema>;

/** Up to six faces per frame, as in Tencent's API. */
export const MAX_SLOTS_PER_FRAME = 6;
