/**
 * Fusion engine: metric-based checks (not byte-exact) on the npm fixture faces and our own drawn
 * frame (scripts/fusion-synthetic.ts), plus the fuse CLI's contract through a child process (which
 * also exercises the worker pool, since jest's own thread runs it in-thread).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { execFileSync } from 'child_process';
import sharp from 'sharp';
import { analyzeImage, type Analysis } from '../../engine/analysis/analyze';
import { prepareFace, fuseFrame, skinTarget, GREY_SKIN_CHROMA, USER_TONE_SHARE, type PreparedFace } from '../../engine/fusion/fuse';
import { projectSlot, CANONICAL_MESH, projectShape, MESH_POINTS } from '../../engine/fusion/canonical-mesh';
import { EYES } from '../../engine/fusion/stylise';
import { TURN_SHARE, facePose } from '../../engine/fusion/warp';
import { fillPolygon } from '../../engine/core/raster';
import { estimatePose } from '../../engine/analysis/face-pose';
import { AppError } from '../../engine/core/errors';
import { readAiLabel } from '../../engine/output/ai-label';
import { encodeJpeg } from '../../engine/output/encode';
import { FusePool } from '../../engine/pipeline/worker-pool';
import { runFrameTask } from '../../engine/pipeline/fuse-task';
import { loadManifest, loadPackedFrame, loadStory, templatesDir, unpackFrame } from '../../engine/pipeline/story-frames';
import { syntheticFrame, SYNTHETIC_SLOTS, SYNTHETIC_GROUP_SLOTS } from '../../scripts/fusion-synthetic';
import { hexRgb } from '../../engine/fusion/colour';
import { skinVariant, recolourDrawnSkin } from '../../engine/fusion/drawn-skin';
import { slotSharpness, sobelMagnitude, localRange, topMean, EDGE_MIN_RANGE } from '../../scripts/eval/sharpness';
import type { RgbImage } from '../../engine/core/raster';


jest.setTimeout(60_000);
const ROOT = path.resolve(__dirname, '../..');
const SAMPLE = (n: number) => path.join(ROOT, 'node_modules/@vladmandic/face-api/demo', `sample${n}.jpg`);

let analysis: Analysis;
let faces: PreparedFace[];
let frame: RgbImage;

beforeAll(async () => {
  // sample3: three adults, near-frontal (|yaw| ≤ 15°)
  analysis = await analyzeImage(fs.readFileSync(SAMPLE(3)));
  faces = analysis.result.faces.map((_, i) => prepareFace(analysis, i));
  frame = await syntheticFrame(SYNTHETIC_SLOTS);
});

const fuseOne = (face: PreparedFace, opts = {}) => fuseFrame(frame, SYNTHETIC_SLOTS.map((slot) => ({ slot, face })), opts);

test('canonical mesh: a projected slot reads back its own pose', () => {
  for (const pose of [{ yaw: 20, pitch: 0, roll: 0 }, { yaw: -25, pitch: 10, roll: 12 }]) {
    const p = projectShape(CANONICAL_MESH, { center: [300, 400], width: 300, ...pose });
    const read = estimatePose(Array.from({ length: MESH_POINTS }, (_, i) => [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]] as [number, number, number]));
    expect(Math.abs(read.yaw - pose.yaw)).toBeLessThan(2);
    expect(Math.abs(read.pitch - pose.pitch)).toBeLessThan(2.5);
    expect(Math.abs(read.roll - pose.roll)).toBeLessThan(2);
  }
});

test('sample3 gives at least three usable faces', () => {
  expect(faces.length).toBeGreaterThanOrEqual(3);
});

// Identity (embedding) checks live in test/engine/identity.test.ts (docs/fusion.md, "Identity").
test('outside the feather band only the drawn skin around a face changes; the face region does', () => {
  const r = fuseFrame(frame, SYNTHETIC_GROUP_SLOTS.map((slot) => ({ slot, face: faces[0] })));
  const W = frame.width;
  const inBand = new Uint8Array(frame.width * frame.height);
  for (const s of r.slots) {
    const bw = s.box.x1 - s.box.x0;
    for (let y = s.box.y0; y < s.box.y1; y++) for (let x = s.box.x0; x < s.box.x1; x++) if (s.mask[(y - s.box.y0) * bw + x - s.box.x0] > 0) inBand[y * W + x] = 1;
  }
  const skins = SYNTHETIC_GROUP_SLOTS.map((sl) => hexRgb(sl.style.skinTone));
  let changedOutside = 0, changedInside = 0, inside = 0;
  for (let i = 0; i < inBand.length; i++) {
    const f = frame.data;
    const d = Math.abs(r.data[i * 3] - f[i * 3]) + Math.abs(r.data[i * 3 + 1] - f[i * 3 + 1]) + Math.abs(r.data[i * 3 + 2] - f[i * 3 + 2]);
    if (inBand[i]) { inside++; if (d > 6) changedInside++; }
    else if (d && !skins.some((sk) => skinVariant(f[i * 3], f[i * 3 + 1], f[i * 3 + 2], sk) > 0)) changedOutside++;
  }
  expect(changedOutside).toBe(0);
  expect(changedInside / inside).toBeGreaterThan(0.3);
});

/** sample3's first face photographed much darker (a deep skin tone for the colour transfer); analysed once. */
let darkFaceOnce: Promise<PreparedFace> | undefined;
const darkSample3Face = () => (darkFaceOnce ??= (async () => prepareFace(await analyzeImage(await sharp(SAMPLE(3)).linear(0.42, 0).jpeg({ quality: 95 }).toBuffer()), 0))());

test('a dark-skinned face takes the drawn ears and neck with it; a face of the drawing\'s tone leaves them alone', async () => {
  const fr = (await loadStory('chuang')).frames[3];
  const hero = fr.slots.find((sl) => sl.role === 'hero')!;
  const skin = hexRgb(hero.style.skinTone);
  const darkFace = await darkSample3Face();
  expect(darkFace.stats.mean[0]).toBeLessThan(faces[0].stats.mean[0] - 15);
  const measure = (face: PreparedFace) => {
    const r = fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })));
    const s = r.slots[0], bw = s.box.x1 - s.box.x0;
    let skinChanged = 0, skinPixels = 0, lumaBefore = 0, lumaAfter = 0, otherChanged = 0;
    for (let i = 0; i < fr.image.width * fr.image.height; i++) {
      const x = i % fr.image.width, y = (i / fr.image.width) | 0;
      const inMask = x >= s.box.x0 && x < s.box.x1 && y >= s.box.y0 && y < s.box.y1 && s.mask[(y - s.box.y0) * bw + x - s.box.x0] > 0;
      if (inMask) continue;
      const f = fr.image.data, o = r.data;
      const changed = f[i * 3] !== o[i * 3] || f[i * 3 + 1] !== o[i * 3 + 1] || f[i * 3 + 2] !== o[i * 3 + 2];
      if (skinVariant(f[i * 3], f[i * 3 + 1], f[i * 3 + 2], skin) > 0.9) {
        skinPixels++;
        if (changed) { skinChanged++; lumaBefore += f[i * 3] + f[i * 3 + 1] + f[i * 3 + 2]; lumaAfter += o[i * 3] + o[i * 3 + 1] + o[i * 3 + 2]; }
      } else if (changed && skinVariant(f[i * 3], f[i * 3 + 1], f[i * 3 + 2], skin) === 0) otherChanged++;
    }
    return { skinChanged, skinPixels, darker: skinChanged ? 1 - lumaAfter / lumaBefore : 0, otherChanged };
  };
  const d = measure(darkFace);
  expect(d.otherChanged).toBe(0);
  expect(d.skinChanged).toBeGreaterThan(3000); // ears, the skin inside the head's outline, the neck
  expect(d.darker).toBeGreaterThan(0.15);
  // a face whose skin is the drawing's own tone: the drawn skin stays as drawn
  const same = recolourDrawnSkin(fr.image, new Uint8Array(fr.image.data), projectShape(CANONICAL_MESH, hero.pose), skin, skin, 1);
  expect(same.changed).toBe(0);
});

test('the hero\'s drawn hands and bare forearms (slot bodySkin) take a dark face\'s tone; the other figure\'s stay as drawn', async () => {
  const fr = (await loadStory('rong')).frames[2]; // the hero waves a phone beside a kid; short sleeves
  const hero = fr.slots.find((sl) => sl.role === 'hero')!, kid = fr.slots.find((sl) => sl.role === 'extra')!;
  expect(hero.bodySkin!.length).toBe(4); // two hands, two forearms
  const darkFace = await darkSample3Face();
  const r = fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? darkFace : null })));
  const W = fr.image.width, f = fr.image.data, o = r.data;
  const within = (caps: NonNullable<typeof hero.bodySkin>, x: number, y: number) => caps.some(([x1, y1, x2, y2, rad]) => {
    const vx = x2 - x1, vy = y2 - y1, ll = vx * vx + vy * vy;
    const u = ll ? Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / ll)) : 0;
    return Math.hypot(x - x1 - u * vx, y - y1 - u * vy) <= rad;
  });
  const heroSkin = hexRgb(hero.style.skinTone);
  let hand = 0, handChanged = 0, before = 0, after = 0, kidPixels = 0, kidChanged = 0;
  for (let y = 0; y < fr.image.height; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3, changed = f[i] !== o[i] || f[i + 1] !== o[i + 1] || f[i + 2] !== o[i + 2];
    if (within(hero.bodySkin!, x + 0.5, y + 0.5) && skinVariant(f[i], f[i + 1], f[i + 2], heroSkin) > 0.9) {
      hand++;
      if (changed) { handChanged++; before += f[i] + f[i + 1] + f[i + 2]; after += o[i] + o[i + 1] + o[i + 2]; }
    } else if (within(kid.bodySkin!, x + 0.5, y + 0.5) && !within(hero.bodySkin!, x + 0.5, y + 0.5)) {
      kidPixels++;
      if (changed) kidChanged++;
    }
  }
  // the art kit's capsules lie on the drawn hands and forearms…
  expect(hand).toBeGreaterThan(4000);
  // …which now take the face's tone
  expect(handChanged / hand).toBeGreaterThan(0.95);
  expect(1 - after / before).toBeGreaterThan(0.15);
  // the kid's hands (a lighter drawn skin, within the hero's colour tolerance), not fused, stay as drawn
  expect(kidPixels).toBeGreaterThan(1000);
  expect(kidChanged).toBe(0);
});

test('skin target: a grey photo\'s skin takes the slot\'s colour (in proportion to how grey), its lightness stays the user\'s share', () => {
  const tone: [number, number, number] = [84, 12, 22], keep = USER_TONE_SHARE;
  const old = (u: [number, number, number]) => [0, 1, 2].map((k) => tone[k] + keep * (u[k] - tone[k]));
  // ordinary skins keep the user's share of colour: light, and dark with little chroma (066: L 26, C 12.8)
  for (const u of [[62, 19, 21], [26, 8.6, 9.4], [81, 8.6, 17.7]] as Array<[number, number, number]>) {
    expect(Math.hypot(u[1], u[2]) / u[0]).toBeGreaterThanOrEqual(GREY_SKIN_CHROMA);
    skinTarget(tone, u, keep).forEach((v, k) => expect(v).toBeCloseTo(old(u)[k], 6));
  }
  // a black-and-white photo: the slot's colour, the user's lightness share
  const bw = skinTarget(tone, [57, 0, 0], keep);
  expect(bw[1]).toBeCloseTo(tone[1], 6);
  expect(bw[2]).toBeCloseTo(tone[2], 6);
  expect(bw[0]).toBeCloseTo(tone[0] + keep * (57 - tone[0]), 6);
  // half as colourful as the floor: half the user's share of colour
  const half = skinTarget(tone, [60, 0.1 * 60 * 0.6, 0.1 * 60 * 0.8], keep);
  expect(half[1]).toBeCloseTo(tone[1] + (keep / 2) * (3.6 - tone[1]), 6);
});

test('a black-and-white photo gives a skin-coloured face and drawn neck, not a grey one', async () => {
  const fr = (await loadStory('chuang')).frames[3];
  const grey = await analyzeImage(await sharp(SAMPLE(3)).grayscale().jpeg({ quality: 95 }).toBuffer());
  const greyFace = prepareFace(grey, 0);
  expect(Math.hypot(greyFace.stats.mean[1], greyFace.stats.mean[2])).toBeLessThan(1);
  // warmth (R − B) of the fused face and of the recoloured drawn skin around it
  const warmth = (face: PreparedFace) => {
    const r = fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })));
    const s = r.slots[0], bw = s.box.x1 - s.box.x0, W = fr.image.width;
    let inFace = 0, nFace = 0, drawn = 0, nDrawn = 0;
    for (let y = s.box.y0; y < s.box.y1; y++) for (let x = s.box.x0; x < s.box.x1; x++) {
      const i = (y * W + x) * 3, m = s.mask[(y - s.box.y0) * bw + x - s.box.x0];
      const changed = r.data[i] !== fr.image.data[i] || r.data[i + 2] !== fr.image.data[i + 2];
      if (m > 0.95) { inFace += r.data[i] - r.data[i + 2]; nFace++; } else if (m === 0 && changed) { drawn += r.data[i] - r.data[i + 2]; nDrawn++; }
    }
    return { face: inFace / nFace, drawn: drawn / Math.max(1, nDrawn), nDrawn };
  };
  const g = warmth(greyFace), c = warmth(faces[0]);
  // the colour photo's face is warm; the grey photo's is as warm as a skin (not R ≈ B)
  expect(c.face).toBeGreaterThan(25);
  expect(g.face).toBeGreaterThan(25);
  expect(g.nDrawn).toBeGreaterThan(1000);
  expect(g.drawn).toBeGreaterThan(25);
});

test('drawn skin: the fill, its shade and its antialiased edge count; other colours do not', () => {
  const skin: [number, number, number] = [243, 201, 164];
  expect(skinVariant(243, 201, 164, skin)).toBe(1);
  expect(skinVariant(Math.round(243 * 0.7), Math.round(201 * 0.7), Math.round(164 * 0.7), skin)).toBeGreaterThan(0.9); // shadow tint / edge against ink
  expect(skinVariant(27, 27, 31, skin)).toBe(0); // the ink itself
  expect(skinVariant(40, 90, 160, skin)).toBe(0); // a blue background
  expect(skinVariant(236, 187, 120, skin)).toBe(0); // a yellow of another hue
});

test('slots without a face keep the artwork', () => {
  const r = fuseFrame(frame, SYNTHETIC_SLOTS.map((slot) => ({ slot, face: null })));
  expect(Buffer.compare(Buffer.from(r.data), Buffer.from(frame.data))).toBe(0);
});

test('several faces: each slot can take a different face', () => {
  const r = fuseFrame(frame, [{ slot: SYNTHETIC_GROUP_SLOTS[0], face: faces[0] }, { slot: SYNTHETIC_GROUP_SLOTS[1], face: faces[1] }]);
  expect(r.slots.map((s) => s.id)).toEqual(['hero', 'friend']);
});

test('shape 0 = the slot\'s canonical shape, 100 = the user\'s', () => {
  const slotPts = projectSlot(SYNTHETIC_SLOTS[0].pose);
  const dist = (a: Float32Array) => {
    let s = 0;
    for (let i = 0; i < MESH_POINTS; i++) s += Math.hypot(a[i * 3] - slotPts[i][0], a[i * 3 + 1] - slotPts[i][1]);
    return s / MESH_POINTS;
  };
  const userPts = projectShape(faces[1].shape, SYNTHETIC_SLOTS[0].pose);
  const toUser = (a: Float32Array) => {
    let s = 0;
    for (let i = 0; i < MESH_POINTS; i++) s += Math.hypot(a[i * 3] - userPts[i * 3], a[i * 3 + 1] - userPts[i * 3 + 1]);
    return s / MESH_POINTS;
  };
  const p0 = fuseOne(faces[1], { shape: 0 }).slots[0].points;
  const p50 = fuseOne(faces[1], { shape: 50 }).slots[0].points;
  const p100 = fuseOne(faces[1], { shape: 100 }).slots[0].points;
  expect(dist(p0)).toBeLessThan(0.01);
  expect(toUser(p100)).toBeLessThan(0.01);
  expect(dist(p100)).toBeGreaterThan(1); // the user's face is not the average face
  expect(dist(p50)).toBeGreaterThan(dist(p0));
  expect(dist(p50)).toBeLessThan(dist(p100));
});

test('on a turned slot the face is drawn with four fifths of the turn, whatever its shape', () => {
  const slot = { ...SYNTHETIC_SLOTS[0], pose: { ...SYNTHETIC_SLOTS[0].pose, yaw: 20 } };
  const readYaw = (pts: Float32Array) => estimatePose(Array.from({ length: MESH_POINTS }, (_, i) => [pts[i * 3], pts[i * 3 + 1], pts[i * 3 + 2]] as [number, number, number])).yaw;
  expect(TURN_SHARE).toBeGreaterThan(0.5);
  expect(TURN_SHARE).toBeLessThan(1);
  for (const shape of [0, 100]) {
    const r = fuseFrame(frame, [{ slot, face: faces[1] }], { shape });
    const yaw = readYaw(r.slots[0].points);
    // at shape 0 the canonical face, exactly; at 100 the user's own (pose-free) shape, within its asymmetry
    expect(Math.abs(yaw - TURN_SHARE * 20)).toBeLessThan(shape === 0 ? 1 : 2.5);
    expect(yaw).toBeLessThan(19);
  }
  // the drawn pose's other angles and its place are the slot's
  expect(facePose(slot.pose)).toEqual({ ...slot.pose, yaw: TURN_SHARE * 20 });
});

test('features 0 keeps the drawn face, 100 brings the user\'s appearance', async () => {
  const diff = (r: ReturnType<typeof fuseOne>) => {
    const s = r.slots[0], bw = s.box.x1 - s.box.x0;
    let d = 0, n = 0;
    for (let y = s.box.y0; y < s.box.y1; y++) for (let x = s.box.x0; x < s.box.x1; x++) {
      if (s.mask[(y - s.box.y0) * bw + x - s.box.x0] < 0.99) continue;
      const o = (y * frame.width + x) * 3;
      d += Math.abs(r.data[o] - frame.data[o]) + Math.abs(r.data[o + 1] - frame.data[o + 1]) + Math.abs(r.data[o + 2] - frame.data[o + 2]);
      n++;
    }
    return d / n / 3;
  };
  const f0 = fuseOne(faces[0], { features: 0 }), f100 = fuseOne(faces[0], { features: 100 });
  expect(diff(f0)).toBeLessThan(2);
  expect(diff(f100)).toBeGreaterThan(8);
});

test('bad arguments give INVALID_ARGUMENT', () => {
  const code = (fn: () => unknown) => { try { fn(); return 'none'; } catch (e) { return e instanceof AppError ? e.code : String(e); } };
  expect(code(() => prepareFace(analysis, 99))).toBe('INVALID_ARGUMENT');
  expect(code(() => prepareFace(analysis, -1))).toBe('INVALID_ARGUMENT');
  expect(code(() => fuseOne(faces[0], { shape: 101 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => fuseOne(faces[0], { features: -1 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => fuseOne(faces[0], { features: Number.NaN }))).toBe('INVALID_ARGUMENT');
});

test('outputs carry the AI-generated label in their metadata', async () => {
  const r = fuseOne(faces[0]);
  const jpeg = await encodeJpeg(r.data, r.width, r.height, { produceId: 'test' });
  const label = await readAiLabel(jpeg);
  expect(label?.Label).toBe('1');
  expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
});

test('frame JPEGs: the label is EXIF (ImageDescription, Software) and XMP, and costs no pixels', async () => {
  const r = fuseOne(faces[0]);
  const jpeg = await encodeJpeg(r.data, r.width, r.height, { produceId: 'job-1' });
  const meta = await sharp(jpeg).metadata();
  expect(meta.exif?.toString('latin1')).toContain('{"AIGC":{"Label":"1"');
  expect(meta.exif?.toString('latin1')).toContain('my-shenzhen-story');
  expect(meta.xmp?.toString('utf8')).toContain('AI合成');
  expect((await readAiLabel(jpeg))?.ProduceID).toBe('job-1');
  // the same pixels as the JPEG without the label segments
  const bare = await sharp(Buffer.from(r.data), { raw: { width: r.width, height: r.height, channels: 3 } }).jpeg({ quality: 85, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer();
  const [a, b] = await Promise.all([sharp(jpeg).raw().toBuffer(), sharp(bare).raw().toBuffer()]);
  expect(a.equals(b)).toBe(true);
});

test('template frames: packed once, unpacked to the PNG\'s own pixels', async () => {
  const id = loadManifest('chuang').frames.length > 1 ? 'chuang' : 'chao';
  const packed = await loadPackedFrame(id, 1);
  expect(packed.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(packed.data.length).toBeLessThan((packed.width * packed.height * 3) / 4);
  const png = await sharp(path.join(templatesDir(), 'stories', id, 'rendered', 'frame-2.png')).removeAlpha().raw().toBuffer();
  expect(Buffer.from(unpackFrame(packed).data).equals(png)).toBe(true);
});

test('the poster-size copy of a fused frame equals resizing the whole fused frame', async () => {
  const frameIndex = 0;
  const slots = loadManifest('chuang').frames[frameIndex].slots;
  const assign = Object.fromEntries(slots.filter((x) => x.role === 'hero').map((x) => [x.id, 0]));
  for (const size of [{ width: 468, height: 832 }, { width: 300, height: 500 }]) {
    const r = await runFrameTask([faces[0]], { storyId: 'chuang', frameIndex, assign, options: {}, raw: true, thumb: size });
    const whole = await sharp(Buffer.from(r.rgb!), { raw: { width: r.width, height: r.height, channels: 3 } }).resize(size.width, size.height, { fit: 'cover', kernel: 'linear' }).raw().toBuffer();
    expect(r.thumb).toMatchObject(size);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - r.thumb!.data[i]));
    expect(worst).toBe(0);
  }
});

test('the pool runs in-thread with the same results when asked', async () => {
  const pool = new FusePool(1, { inThread: true });
  expect(pool.mode).toBe('in-thread');
  await pool.close();
});

describe('fuse CLI', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuse-cli-'));
  const run = (args: string[]) => {
    try {
      return { code: 0, out: JSON.parse(execFileSync('npx', ['tsx', 'scripts/fuse.ts', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) };
    } catch (e) {
      const err = e as { status: number; stdout: string };
      return { code: err.status, out: JSON.parse(err.stdout) };
    }
  };
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('bad arguments and analysis errors', async () => {
    expect(run(['--photo', SAMPLE(3), '--theme', 'nope', '--out', tmp])).toMatchObject({ code: 2, out: { error: { code: 'INVALID_ARGUMENT' } } });
    expect(run(['--photo', SAMPLE(3), '--theme', 'chuang', '--out', tmp, '--shape', '140'])).toMatchObject({ code: 2, out: { error: { code: 'INVALID_ARGUMENT' } } });
    const blank = path.join(tmp, 'blank.png');
    await sharp({ create: { width: 400, height: 400, channels: 3, background: '#808080' } }).png().toFile(blank);
    expect(run(['--photo', blank, '--theme', 'chuang', '--out', tmp])).toMatchObject({ code: 2, out: { error: { code: 'NO_FACE' } } });
    const notImage = path.join(tmp, 'x.txt');
    fs.writeFileSync(notImage, 'hello, not an image');
    expect(run(['--photo', notImage, '--theme', 'chuang', '--out', tmp]).out.error.code).toMatch(/UNSUPPORTED_FORMAT|CORRUPT_IMAGE/);
    // sample3 has three similar-sized faces: the user must pick one; an index out of range is a bad argument
    expect(run(['--photo', SAMPLE(3), '--theme', 'chuang', '--out', tmp]).out.error.code).toBe('MULTIPLE_FACES');
    expect(run(['--photo', SAMPLE(3), '--theme', 'chuang', '--out', tmp, '--face', '7']).out.error.code).toBe('INVALID_ARGUMENT');
  });

  test('writes frames and a poster per theme and reports timings', () => {
    const r = run(['--photo', SAMPLE(3), '--theme', 'chuang', '--out', tmp, '--face', '1']);
    expect(r.code).toBe(0);
    expect(r.out.faces.length).toBeGreaterThanOrEqual(3);
    expect(r.out.themes[0].id).toBe('chuang');
    for (const f of r.out.themes[0].frames) expect(fs.existsSync(f)).toBe(true);
    expect(r.out.themes[0].frames[0]).toMatch(/chuang[\\/]frame-1\.jpg$/);
    expect(fs.existsSync(r.out.themes[0].poster)).toBe(true);
    for (const k of ['warp', 'colour', 'style', 'blend', 'encode', 'total']) expect(typeof r.out.timings_ms[k]).toBe('number');
  });
});

/** RGB of the fused frame's pixels inside the first slot's eyes (their mesh contours at the target points). */
function eyePixels(r: { data: Uint8Array; width: number; slots: Array<{ box: { x0: number; y0: number; x1: number; y1: number }; points: Float32Array }> }): Array<[number, number, number]> {
  const s = r.slots[0], d = s.points, bw = s.box.x1 - s.box.x0, bh = s.box.y1 - s.box.y0;
  const eye = new Float32Array(bw * bh);
  for (const e of EYES) fillPolygon(eye, bw, bh, e.contour.map((i) => d[i * 3]), e.contour.map((i) => d[i * 3 + 1]), s.box.x0, s.box.y0);
  const out: Array<[number, number, number]> = [];
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
    if (!eye[y * bw + x]) continue;
    const o = ((s.box.y0 + y) * r.width + s.box.x0 + x) * 3;
    out.push([r.data[o], r.data[o + 1], r.data[o + 2]]);
  }
  return out;
}

describe('sharpness (scripts/eval/sharpness.ts)', () => {
  /** A w×h grey image with a vertical dark/light edge at x = w/2, blurred over `ramp` pixels. */
  const edge = (w: number, h: number, ramp: number): RgbImage => {
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const t = ramp <= 1 ? (x < w / 2 ? 0 : 1) : Math.max(0, Math.min(1, (x - w / 2) / ramp + 0.5));
      data.fill(Math.round(40 + 180 * t), (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
    return { data, width: w, height: h };
  };
  const acutance = (img: RgbImage) => {
    const rect = { x0: 0, y0: 0, x1: img.width, y1: img.height };
    const g = sobelMagnitude(img, rect), r = localRange(img, rect);
    const v: number[] = [];
    for (let i = 0; i < g.length; i++) if (r[i] >= EDGE_MIN_RANGE) v.push(g[i] / r[i]);
    return topMean(Float32Array.from(v), 0.5);
  };

  test('acutance reads how steep an edge is, whatever its contrast', () => {
    const crisp = acutance(edge(40, 20, 1)), soft = acutance(edge(40, 20, 6));
    expect(crisp).toBeGreaterThan(0.45);
    expect(soft).toBeLessThan(0.3);
  });

  test('the fused face is drawn as sharp as the art around it (acutance ratio, four stories\' first hero frames)', async () => {
    const ratios: number[] = [];
    for (const id of ['chuang', 'kuai', 'pin', 'mei']) {
      const fr = (await loadStory(id)).frames.find((f) => f.slots.some((s) => s.role === 'hero'))!;
      const r = fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? faces[0] : null })));
      const heroId = fr.slots.find((s) => s.role === 'hero')!.id;
      ratios.push(slotSharpness(fr.image, r, r.slots.find((s) => s.id === heroId)!).acutanceRatio);
    }
    ratios.sort((a, b) => a - b);
    // the photo-patch rendering of issue #4 measured 0.60–0.69 here; the comic face 0.81–0.97; with
    // the AM dot screen and solid brows 0.78, 0.80, 0.88, 0.90 (a 4-px dot's edges are short for
    // their height; the tuning set's median is 0.87, docs/fusion.md "Eighth round")
    expect(ratios[0]).toBeGreaterThan(0.75);
    expect((ratios[1] + ratios[2]) / 2).toBeGreaterThan(0.8);
  });

  test('eyes are drawn opaque: whites and irises far apart, not a grey photo patch', async () => {
    const fr = (await loadStory('chuang')).frames[0];
    for (const face of faces.slice(0, 3)) {
      const r = fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face: slot.role === 'hero' ? face : null })));
      const v = eyePixels(r).map(([R, G, B]) => 0.299 * R + 0.587 * G + 0.114 * B).sort((a, b) => a - b);
      const p = (q: number) => v[Math.floor(q * (v.length - 1))];
      // light p90 over dark p10 inside the eyes: the photo-patch rendering of issue #4 gave 1.7–1.9
      // for sample3's three faces here, the drawn eyes 2.5–3.0
      expect(p(0.9) / p(0.1)).toBeGreaterThan(2.2);
    }
  });

  test('a flash\'s red eye is drawn as a dark pupil, not a red blotch', async () => {
    // sample3's first face with red pupils painted in (a disc at each eye's centre, as a flash makes them)
    const mesh = analysis.internal.faces[0].meshWorking;
    const img = analysis.internal.image;
    const rgb = Buffer.from(img.data);
    for (const [a, b, c, d] of [[33, 133, 159, 145], [263, 362, 386, 374]]) {
      const cx = (mesh[a][0] + mesh[b][0]) / 2, cy = (mesh[c][1] + mesh[d][1]) / 2;
      const r = 0.09 * Math.hypot(mesh[b][0] - mesh[a][0], mesh[b][1] - mesh[a][1]);
      for (let y = Math.floor(cy - r); y <= cy + r; y++) for (let x = Math.floor(cx - r); x <= cx + r; x++) {
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) > r) continue;
        const o = (y * img.width + x) * 3;
        rgb[o] = 200; rgb[o + 1] = 30; rgb[o + 2] = 35;
      }
    }
    const red = await analyzeImage(await sharp(rgb, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer());
    const face = prepareFace(red, red.result.faces.reduce((best, f, i, all) => (Math.hypot(f.box[0] - analysis.result.faces[0].box[0], f.box[1] - analysis.result.faces[0].box[1]) < Math.hypot(all[best].box[0] - analysis.result.faces[0].box[0], all[best].box[1] - analysis.result.faces[0].box[1]) ? i : best), 0));
    const fr = (await loadStory('chuang')).frames[3];
    const r = fuseFrame(fr.image, fr.slots.map((slot) => ({ slot, face })));
    const redness = eyePixels(r).map(([R, G, B]) => R - (G + B) / 2).sort((a, b) => a - b);
    // painted in: 200 − 32 = 168; drawn before the pupil fix 145 at p98, with it 54 (the disc's rim)
    expect(redness[Math.floor(0.98 * (redness.length - 1))]).toBeLessThan(80);
  });
});
