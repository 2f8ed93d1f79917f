/**
 * Fusion, end to end for one frame: every slot that has a face gets
 *   warp (target shape, piecewise-affine) → colour (palette, lighting, features) →
 *   style (tone bands; smoothing is done once per face) → blend (feathered mask, Poisson) → ink.
 * Slots without a face keep the artwork untouched.
 *
 * `prepareFace` does the per-photo work once (aligned crop, pose-free shape, skin statistics, the
 * photo's own lighting removed); its result is plain typed arrays, so it can be sent to workers.
 */
import { CANONICAL_MESH, FACE_OVAL, MESH_POINTS, NON_SKIN_REGIONS } from './canonical-mesh';
import { procrustes3, applySimilarity3 } from '../core/geometry';
import { sampleAffine } from '../core/image-decode';
import { newPlanes, fillPolygon, boundsOf, scratch, type Planes, type RgbImage, type Rect } from '../core/raster';
import { rgbToLab, labStats, delight, hexToLab, frameShading, transferColour, labToRgbMix, labToRgb, hexRgb, type LabStats } from './colour';
import { recolourDrawnSkin } from './drawn-skin';
import { projectSlot } from './canonical-mesh';
import { targetPoints, warpFace, facePose } from './warp';
import { faceMask, featherWidth, keepArtworkHair, crispenAgainstArt, FEATHER_FRACTION } from './face-mask';
import { comicSource, drawComicFace, softKnee, inkCoverage, paintInk, lineGrowFor, type ComicSource } from './stylise';
import { poissonBlend } from './poisson';
import { drawFaceOutline } from './face-outline';
import { fillOcclusions, meshMirror } from './face-occlusion';
import { yawOfPacked } from '../analysis/face-pose';
import { SlotStyleSchema, type Slot, type SlotStyle } from './slot';
import { AppError } from '../core/errors';
import type { Analysis } from '../analysis/analyze';

/** Face-oval width in the aligned crop: about the size of a poster frame's hero face, so the warp rarely upsamples much. */
export const CROP_FACE_WIDTH = 240;
export const CROP_W = 336;
export const CROP_H = 368;

/** Defaults chosen by looking at results and by the identity measure (docs/fusion.md "Defaults"). */
export const DEFAULT_SHAPE = 100;
export const DEFAULT_FEATURES = 90;
/**
 * Share of the user's own skin tone kept at features = 100: the rest moves towards the slot's
 * palette so the face sits in the artwork. Most of it on purpose — skin tone is part of who
 * someone is (repainting dark skin to the drawing's light tone measurably cost likeness), and the
 * hero's drawn ears and neck take the face's tone (drawn-skin.ts), so nothing light clashes with it.
 */
export const USER_TONE_SHARE = 0.85;
/**
 * Skin chroma over lightness (Lab C/L) under which a photo's skin counts as grey — a black-and-white
 * photo (C 0), or cold light or a camera's grey cast (sample2's faces 0.09–0.13, 003 0.12) —
 * against 0.24–0.66 for every other face here, dark skin included (066: 0.49). Below it less of the
 * user's colour and more of the slot's skin colour is kept, in proportion (none at C 0): a grey
 * photo gave a grey face and, through drawn-skin.ts, a grey neck and ears in a coloured drawing.
 * Lightness keeps the user's share whatever the colour.
 */
export const GREY_SKIN_CHROMA = 0.2;

/** The face's target skin colour (Lab): the slot's `skinTone` moved towards the user's by `keep`, their colour by less on grey photos. */
export function skinTarget(tone: readonly [number, number, number], user: readonly [number, number, number], keep: number): [number, number, number] {
  const rel = Math.hypot(user[1], user[2]) / Math.max(user[0], 20);
  const keepColour = keep * Math.min(1, rel / GREY_SKIN_CHROMA);
  return [tone[0] + keep * (user[0] - tone[0]), tone[1] + keepColour * (user[1] - tone[1]), tone[2] + keepColour * (user[2] - tone[2])];
}

export interface PreparedFace {
  /** Aligned, roll-free crop in Lab (own lighting removed), CROP_W × CROP_H. */
  lab: Planes;
  /** 468 × (x, y, z) in crop pixels. */
  points: Float32Array;
  /** 468 × 3 pose-free shape in canonical units (oval width ≈ 1), for shape blending. */
  shape: Float32Array;
  /** Lab statistics of the skin (before de-lighting). */
  stats: LabStats;
  /** Face-oval width in crop pixels. */
  faceWidth: number;
  /** Which face of the photo this is. */
  faceIndex: number;
}

/**
 * The reusable, aligned face: once per photo (and face index). Throws INVALID_ARGUMENT for a face
 * index out of range.
 */
export function prepareFace(analysis: Analysis, faceIndex = 0): PreparedFace {
  const faces = analysis.internal.faces;
  if (!Number.isInteger(faceIndex) || faceIndex < 0 || faceIndex >= faces.length) {
    throw new AppError('INVALID_ARGUMENT', { reason: `face index ${faceIndex} of ${faces.length}`, details: { field: 'face' } });
  }
  const img = analysis.internal.image;
  const mesh = faces[faceIndex].meshWorking;
  const user = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) { user[i * 3] = mesh[i][0]; user[i * 3 + 1] = mesh[i][1]; user[i * 3 + 2] = mesh[i][2]; }
  // Pose and size removed: a similarity onto the canonical mesh.
  const sim = procrustes3(user, CANONICAL_MESH, MESH_POINTS);
  const shape = applySimilarity3(sim, user, MESH_POINTS);
  const facePx = 1 / sim.s; // oval width in working pixels
  // 2D crop frame: roll from the eye line, centre = oval bbox centre, scale to CROP_FACE_WIDTH.
  const roll = Math.atan2(mesh[263][1] - mesh[33][1], mesh[263][0] - mesh[33][0]);
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  const cr = Math.cos(-roll), sr = Math.sin(-roll);
  for (const i of FACE_OVAL) {
    const x = mesh[i][0] * cr - mesh[i][1] * sr, y = mesh[i][0] * sr + mesh[i][1] * cr;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const k = CROP_FACE_WIDTH / facePx; // crop px per working px
  const rcx = (minX + maxX) / 2, rcy = (minY + maxY) / 2; // centre in the de-rolled frame
  // crop (u, v) → de-rolled (rcx + (u − W/2)/k, rcy + (v − H/2)/k) → rotate by +roll → working image
  const c = Math.cos(roll), s = Math.sin(roll);
  const ox = rcx - CROP_W / 2 / k, oy = rcy - CROP_H / 2 / k;
  const m = { a: c / k, b: -s / k, c: c * ox - s * oy, d: s / k, e: c / k, f: s * ox + c * oy };
  // Shrinking more than 2× needs more taps or the crop aliases.
  const taps = Math.max(1, Math.min(4, Math.round(1 / k)));
  const rgbF = sampleAffine(img.data, img.width, img.height, CROP_W, CROP_H, m, 1, 0, taps);
  const rgb = new Uint8Array(rgbF.length);
  for (let i = 0; i < rgb.length; i++) rgb[i] = rgbF[i] + 0.5;
  const lab = rgbToLab(rgb, CROP_W * CROP_H, newPlanes(CROP_W, CROP_H));
  const points = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    const x = mesh[i][0] * cr - mesh[i][1] * sr, y = mesh[i][0] * sr + mesh[i][1] * cr;
    points[i * 3] = (x - ox) * k;
    points[i * 3 + 1] = (y - oy) * k;
    points[i * 3 + 2] = mesh[i][2] * k;
  }
  // Skin: the oval minus eyes, brows and lips.
  const skin = new Float32Array(CROP_W * CROP_H);
  const poly = (idx: readonly number[]) => [idx.map((i) => points[i * 3]), idx.map((i) => points[i * 3 + 1])] as const;
  const [ovx, ovy] = poly(FACE_OVAL);
  fillPolygon(skin, CROP_W, CROP_H, ovx, ovy);
  for (const r of NON_SKIN_REGIONS) { const [x, y] = poly(r); fillPolygon(skin, CROP_W, CROP_H, x, y, 0, 0, 0); }
  // Hair or a hand over one side: filled from the mirrored face, then the skin measured again.
  fillOcclusions(lab, points, labStats(lab, skin).mean[0], CROP_FACE_WIDTH);
  const stats = labStats(lab, skin);
  delight(lab, skin, Math.round(CROP_FACE_WIDTH / 6), stats.mean[0]);
  return { lab, points, shape, stats, faceWidth: CROP_FACE_WIDTH, faceIndex };
}

/** An aligned face crop: `lab` planes and its 468 × (x, y, z) points, with the pose-free shape it shows. */
export interface FaceCrop {
  lab: Planes;
  points: Float32Array;
  shape: Float32Array;
}

/**
 * A photo turned at least this far (degrees) is shown as its mirror image on slots turned the other
 * way by at least MIRROR_SLOT_FROM: otherwise the slot's near side would be the photo's far side,
 * squeezed into a sliver (with background or hair at the silhouette) and stretched back out two
 * or three times — a light or dark patch on the cheek. Mirrored, the photo's near side is the
 * slot's near side and the far side is squeezed again, as in the photo. People know their mirror
 * image (a selfie preview is one), and both recognisers keep more likeness this way (docs/fusion.md
 * "Third round"). 8°: where the far side's silhouette strip starts (face-occlusion.ts FAR_FROM).
 */
export const MIRROR_PHOTO_FROM = 8;
export const MIRROR_SLOT_FROM = 8;

const yawCache = new WeakMap<PreparedFace, number>();
/** The photo's head yaw (degrees, a slot's sign convention), from the crop's points (roll-free, scaled: yaw unchanged). */
function photoYaw(face: PreparedFace): number {
  let y = yawCache.get(face);
  if (y === undefined) {
    y = yawOfPacked(face.points);
    yawCache.set(face, y);
  }
  return y;
}

const mirrorCache = new WeakMap<PreparedFace, FaceCrop>();
/** The face as its mirror image: crop flipped left–right, points and shape through the mesh's mirror pairs. */
function mirroredCrop(face: PreparedFace): FaceCrop {
  let c = mirrorCache.get(face);
  if (c) return c;
  const { width: w, height: h } = face.lab;
  const lab = newPlanes(w, h);
  for (const k of ['c0', 'c1', 'c2'] as const) {
    const src = face.lab[k], dst = lab[k];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) dst[y * w + x] = src[y * w + (w - 1 - x)];
  }
  const m = meshMirror();
  const points = new Float32Array(MESH_POINTS * 3), shape = new Float32Array(MESH_POINTS * 3);
  for (let v = 0; v < MESH_POINTS; v++) {
    const u = m[v];
    points[v * 3] = w - 1 - face.points[u * 3]; points[v * 3 + 1] = face.points[u * 3 + 1]; points[v * 3 + 2] = face.points[u * 3 + 2];
    shape[v * 3] = -face.shape[u * 3]; shape[v * 3 + 1] = face.shape[u * 3 + 1]; shape[v * 3 + 2] = face.shape[u * 3 + 2];
  }
  c = { lab, points, shape };
  mirrorCache.set(face, c);
  return c;
}

/** Which crop a slot warps from: the face as photographed, or its mirror image (MIRROR_PHOTO_FROM). */
export function cropFor(face: PreparedFace, slot: Slot): FaceCrop {
  if (slot.points) return face; // a photo template's own 468 points: no pose to compare
  const py = photoYaw(face), sy = slot.pose.yaw ?? 0;
  const opposite = Math.abs(py) >= MIRROR_PHOTO_FROM && Math.abs(sy) >= MIRROR_SLOT_FROM && Math.sign(py) !== Math.sign(sy);
  return opposite ? mirroredCrop(face) : face;
}

/**
 * Per-crop cache of comic sources (smoothed base + feature detail, engine/fusion/stylise.ts
 * comicSource), one per smoothing level used by the templates. Derived from the crop's `lab` and
 * `points` only, so stored prepared faces need no new fields.
 */
const smoothCache = new WeakMap<FaceCrop, Map<number, ComicSource>>();
function smoothedFor(face: PreparedFace, crop: FaceCrop, smoothing: number): ComicSource {
  const key = Math.round(smoothing * 20) / 20;
  let m = smoothCache.get(crop);
  if (!m) { m = new Map(); smoothCache.set(crop, m); }
  let p = m.get(key);
  if (!p) { p = comicSource(crop.lab, crop.points, key, face.faceWidth, face.stats.mean); m.set(key, p); }
  return p;
}

/**
 * Pixel weight of the user's face for a `features` degree (0–1): 1 − (1 − f)². Monotone, 0 → 0,
 * 1 → 1, but near the top it is almost 1 (0.9 → 0.99): a linear 10 % of the drawn face let its
 * eyes, blush and outlines ghost through the user's features.
 */
export const featureWeight = (f: number) => 1 - (1 - f) * (1 - f);

/**
 * The frame's lighting on a slot's drawn face, per frame and slot, computed once per thread (≈ 10 ms),
 * not per user: keyed by the frame's name when the caller gives one (the pool unpacks a template anew
 * for every task, engine/pipeline/story-frames.ts), else by the pixel buffer. Measured over the canonical face
 * (shape 0) and looked up by frame position for the current box.
 */
const SHADING_SCALE = 256;
const shadingCache = new WeakMap<RgbImage, Map<string, { box: Rect; values: Int16Array }>>();
/** The same, for frames unpacked anew for every task (engine/pipeline/story-frames.ts): keyed by the frame's name. */
const shadingByKey = new Map<string, Map<string, { box: Rect; values: Int16Array }>>();
function shadingFor(frame: RgbImage, slot: Slot, box: Rect, frameKey?: string): Float32Array {
  let m = frameKey !== undefined ? shadingByKey.get(frameKey) : shadingCache.get(frame);
  if (!m) {
    m = new Map();
    if (frameKey !== undefined) shadingByKey.set(frameKey, m);
    else shadingCache.set(frame, m);
  }
  let s = m.get(slot.id);
  if (!s) {
    const p = slot.points ?? projectSlot(slot.pose);
    const pts = new Float32Array(MESH_POINTS * 3);
    p.forEach(([x, y], i) => { pts[i * 3] = x; pts[i * 3 + 1] = y; });
    const sbox = boundsOf(pts, 3, null, 2, frame.width, frame.height);
    const smask = faceMask(pts, sbox, featherWidth(pts));
    // kept as 1/256 L units in 16 bits (±128 L; the offsets stay within ±50): half the memory of
    // Float32 for all of a campaign's frames (≈ 5 MB per thread), a rounding error below 0.002 L
    const f = frameShading(frame, sbox, smask);
    const values = new Int16Array(f.length);
    for (let i = 0; i < f.length; i++) values[i] = Math.max(-32768, Math.min(32767, Math.round(f[i] * SHADING_SCALE)));
    s = { box: sbox, values };
    m.set(slot.id, s);
  }
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0, sw = s.box.x1 - s.box.x0;
  const out = scratch('shade', bw * bh);
  for (let y = Math.max(box.y0, s.box.y0); y < Math.min(box.y1, s.box.y1); y++) {
    for (let x = Math.max(box.x0, s.box.x0); x < Math.min(box.x1, s.box.x1); x++) {
      out[(y - box.y0) * bw + x - box.x0] = s.values[(y - s.box.y0) * sw + x - s.box.x0] / SHADING_SCALE;
    }
  }
  return out;
}

export interface FuseOptions {
  /** 0–100, 100 = the user's face shape (default DEFAULT_SHAPE). */
  shape?: number;
  /** 0–100, 100 = the user's appearance, 0 = the template's drawn face (default DEFAULT_FEATURES). */
  features?: number;
  /** Blend method; 'alpha' (feathered mask only) exists for comparisons in docs/fusion.md. */
  blend?: 'poisson' | 'alpha';
  /** Write the result here (frame-sized RGB) instead of a new buffer: the pool reuses one per thread. */
  out?: Uint8Array;
  /**
   * A stable name of the frame (engine/pipeline/story-frames.ts `frameKey`) when its pixels are unpacked
   * anew for every call: the frame's lighting is then cached by this name, not by the buffer.
   */
  frameKey?: string;
  /** Also return each slot's soft mask (before its edge was crisped against the art): the eval measures on fixed regions. */
  keepSoftMask?: boolean;
}

export interface StageTimings {
  warp: number;
  colour: number;
  style: number;
  blend: number;
}

export interface SlotFace {
  slot: Slot;
  /** null: the slot keeps its artwork. */
  face: PreparedFace | null;
}

export interface FusedFrame {
  /** RGB bytes, frame size. */
  data: Uint8Array;
  width: number;
  height: number;
  timings: StageTimings;
  /**
   * Per fused slot: box and blend mask (for tests and the eval script), and `dirty`: the rectangle
   * holding every pixel this slot changed (the box and the recoloured drawn skin around it).
   */
  slots: Array<{ id: string; box: Rect; mask: Float32Array; points: Float32Array; dirty: Rect; softMask?: Float32Array }>;
}

export function checkDegree(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
    throw new AppError('INVALID_ARGUMENT', { reason: `${name} must be 0–100`, details: { field: name } });
  }
  return v;
}

/**
 * How far (face widths) the artwork's hair may come down past the brows' top along its own edge
 * (keepArtworkHair `reach`): a tenth of the face, ≈ 20 px on a 200-px slot, is the width of the
 * notches the horizontal cut left where a brim or a bob slants past the brows (≈ 10–15 px).
 * ../shared/faces: dlib 98.4 → 98.2 % (one frame: 052 on a 22° slot), faceres, second person and
 * background unchanged; half of it gave the same figures (docs/fusion.md "Tenth round").
 */
export const HAIR_REACH = 0.1;

/** Upper edge of the brows: the artwork's hair may stay in front of the face above it. */
const BROW_TOP = [70, 63, 105, 66, 107, 300, 293, 334, 296, 336];

/** Fuse faces into one frame. The frame is not modified; a new RGB buffer is returned. */
export function fuseFrame(frame: RgbImage, slotFaces: SlotFace[], options: FuseOptions = {}): FusedFrame {
  const shape = checkDegree('shape', options.shape, DEFAULT_SHAPE) / 100;
  const features = checkDegree('features', options.features, DEFAULT_FEATURES) / 100;
  const out = options.out && options.out.length === frame.data.length ? options.out : new Uint8Array(frame.data.length);
  out.set(frame.data);
  const timings: StageTimings = { warp: 0, colour: 0, style: 0, blend: 0 };
  const slots: FusedFrame['slots'] = [];
  for (const { slot, face } of slotFaces) {
    if (!face) continue;
    const style: SlotStyle = SlotStyleSchema.parse(slot.style ?? {});
    let t = performance.now();
    // --- warp
    const crop = cropFor(face, slot);
    const dst = targetPoints(slot, crop.shape, crop.points, shape);
    const band = featherWidth(dst);
    const faceW = band / FEATHER_FRACTION;
    const box = boundsOf(dst, 3, null, 2, frame.width, frame.height);
    const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
    if (bw < 4 || bh < 4) continue;
    const src = smoothedFor(face, crop, style.smoothing);
    const n = bw * bh;
    const lab: Planes = { c0: scratch('lab0', n, false), c1: scratch('lab1', n, false), c2: scratch('lab2', n, false), width: bw, height: bh };
    const detail = scratch('detail', n);
    const inkField = scratch('ink-field', n);
    const cover = new Uint8Array(n);
    warpFace(src.planes, crop.points, dst, box, lab, cover, [{ src: src.detail, out: detail }, { src: src.ink, out: inkField }]);
    const mask = faceMask(dst, box, band, cover);
    let browTop = Infinity;
    for (const i of BROW_TOP) browTop = Math.min(browTop, dst[i * 3 + 1]);
    const oval = scratch('oval-mask', n, false);
    oval.set(mask);
    keepArtworkHair(frame, box, mask, hexRgb(style.skinTone), browTop - box.y0, 0.04 * faceW, 0.05 * faceW, HAIR_REACH * faceW);
    const softMask = options.keepSoftMask ? mask.slice() : undefined;
    crispenAgainstArt(frame, box, mask, band, hexRgb(style.skinTone));
    let t2 = performance.now();
    timings.warp += t2 - t; t = t2;
    // --- colour: palette (keeping a share of the user's own tone), the frame's lighting
    const tone = hexToLab(style.skinTone);
    const keep = USER_TONE_SHARE * features;
    const target = skinTarget(tone, face.stats.mean, keep);
    const shading = shadingFor(frame, slot, box, options.frameKey);
    transferColour(lab, { user: face.stats, target, saturation: style.saturation, shading, lighting: 0.8 }, mask);
    t2 = performance.now();
    timings.colour += t2 - t; t = t2;
    // --- style: drawn at the frame's resolution — crisp tone bands, posterised features, the
    // user's own ink lines, eye whites and catchlights; highlight roll-off; back to RGB mixed with
    // the drawn face (features)
    drawComicFace(lab, detail, inkField, box, mask, { bands: style.toneBands, centre: target[0], inkLab: hexToLab(style.inkColor), ink: style.ink, dst, eyes: src.eyes, lineGrow: lineGrowFor(faceW, facePose(slot.pose).yaw ?? 0), halftone: style.halftone });
    softKnee(lab.c0);
    const rgb: Planes = { c0: scratch('rgb0', n, false), c1: scratch('rgb1', n, false), c2: scratch('rgb2', n, false), width: bw, height: bh };
    const fw = featureWeight(features);
    labToRgbMix(lab, mask, fw, frame, box, rgb);
    const W = frame.width;
    const cov = style.ink > 0 && features > 0 ? inkCoverage(dst, box, Math.max(1.2, faceW * 0.011), style.featureInk) : null;
    t2 = performance.now();
    timings.style += t2 - t; t = t2;
    // --- blend: the drawn skin around the face (ears, neck) first takes the face's tone, then the
    // face goes in over that (its seam is matched against the recoloured skin)
    const drawnSkin = hexRgb(style.skinTone);
    const faceSkin = labToRgb(target[0], target[1] * style.saturation, target[2] * style.saturation);
    const { skin: ringSkin, rect: skinRect } = recolourDrawnSkin(frame, out, dst, drawnSkin, faceSkin, fw, slot.bodySkin);
    poissonBlend({ data: out, width: frame.width, height: frame.height }, out, box, rgb, mask, options.blend === 'alpha' ? { cells: 1 } : { skin: ringSkin, region: oval });
    if (cov) paintInk(out, W, box, cov, hexRgb(style.inkColor), style.ink * fw, mask);
    // the jaw's outline where the user's face covers the art's own (face-outline.ts)
    if (style.ink > 0 && fw > 0) drawFaceOutline(frame, out, dst, box, mask, faceW, hexRgb(style.inkColor), drawnSkin, fw);
    t2 = performance.now();
    timings.blend += t2 - t;
    const dirty = skinRect ? { x0: Math.min(box.x0, skinRect.x0), y0: Math.min(box.y0, skinRect.y0), x1: Math.max(box.x1, skinRect.x1), y1: Math.max(box.y1, skinRect.y1) } : box;
    slots.push({ id: slot.id, box, mask: mask.slice(), points: dst, dirty, softMask });
  }
  return { data: out, width: frame.width, height: frame.height, timings, slots };
}
