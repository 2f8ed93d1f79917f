/**
 * The hero's drawn hands and bare forearms (slot `bodySkin` capsules) take the fused face's tone
 * like its ears and neck (engine/fusion/drawn-skin.ts recolourDrawnSkin); nothing else does — not
 * another figure's hand of the same drawn colour, not a prop held over the hand, not the ink
 * outline. Synthetic frame: a face far above two inked hands.
 */
import { CANONICAL_MESH, projectShape } from '../../engine/fusion/canonical-mesh';
import { recolourDrawnSkin, type Capsule } from '../../engine/fusion/drawn-skin';
import type { RgbImage } from '../../engine/core/raster';

const W = 400, H = 640;
const SKIN: [number, number, number] = [243, 201, 164], INK = [27, 27, 31], SKY = [72, 160, 220], PROP = [250, 200, 40];
const DARK: [number, number, number] = [120, 80, 60];
const face = projectShape(CANONICAL_MESH, { center: [200, 130], width: 120, yaw: 0, pitch: 0, roll: 0 });
const HERO_HAND: Capsule = [90, 540, 90, 540, 30];
const HERO_ARM: Capsule = [90, 440, 90, 540, 18];
// another figure's hand right beside the hero's: 8 px of its ink and gap between the two fills
const OTHER_HAND = [90 + 30 + 8 + 20, 540, 20];

/** Sky; the hero's forearm and hand, another figure's hand (same colour), each in a 5-px ink ring; a prop over the top of the hero's hand. */
function frame(): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const dist = (c: readonly number[]) => segmentDistance(x, y, c);
    const parts: Array<[readonly number[], number]> = [[HERO_ARM, HERO_ARM[4]], [HERO_HAND, HERO_HAND[4]], [OTHER_HAND, OTHER_HAND[2]]];
    let c = SKY;
    for (const [p, r] of parts) { const d = dist(p); if (d < r - 2) c = SKIN; else if (d < r + 3 && c !== SKIN) c = INK; }
    if (x >= 75 && x < 105 && y >= 500 && y < 516) c = PROP;
    data.set(c, (y * W + x) * 3);
  }
  return { data, width: W, height: H };
}
/** Distance from (x, y) to a capsule's segment ([x1, y1, x2, y2, r]) or a disc's centre ([x, y, r]). */
function segmentDistance(x: number, y: number, c: readonly number[]): number {
  const [x1, y1, x2, y2] = c.length === 5 ? c : [c[0], c[1], c[0], c[1]];
  const vx = x2 - x1, vy = y2 - y1, ll = vx * vx + vy * vy;
  const u = ll ? Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / ll)) : 0;
  return Math.hypot(x - x1 - u * vx, y - y1 - u * vy);
}
const px = (d: Uint8Array, x: number, y: number) => Array.from(d.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));

test('the hero\'s drawn hand and bare forearm take the face\'s tone; another figure\'s hand, a prop and the ink stay', () => {
  const f = frame();
  const out = new Uint8Array(f.data);
  const r = recolourDrawnSkin(f, out, face, SKIN, DARK, 1, [HERO_HAND, HERO_ARM]);
  // the hand's and the forearm's fill are the face's tone
  for (const [x, y] of [[80, 540], [90, 470]]) px(out, x, y).forEach((v, c) => expect(Math.abs(v - DARK[c])).toBeLessThanOrEqual(1));
  // the other figure's hand (same drawn colour, outside every capsule), the prop over the hand, the ink ring and the sky are as drawn
  expect(px(out, 148, 540)).toEqual(SKIN);
  expect(px(out, 131, 540)).toEqual(SKIN);
  expect(px(out, 90, 510)).toEqual(PROP);
  expect(px(out, 90, 540 + 30)).toEqual(INK);
  expect(px(out, 20, 600)).toEqual(SKY);
  let elsewhere = 0, outsideRect = 0, lowest = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const o = (y * W + x) * 3;
    if (out[o] === f.data[o] && out[o + 1] === f.data[o + 1] && out[o + 2] === f.data[o + 2]) continue;
    const inHand = [HERO_HAND, HERO_ARM].some((c) => segmentDistance(x + 0.5, y + 0.5, c) < c[4] + 1.5);
    if (!inHand && y > 300) elsewhere++;
    if (x < r.rect!.x0 || x >= r.rect!.x1 || y < r.rect!.y0 || y >= r.rect!.y1) outsideRect++;
    lowest = Math.max(lowest, y);
  }
  expect(elsewhere).toBe(0);
  // the returned rectangle holds every changed pixel, the hand's too (the poster copy is redrawn from it)
  expect(lowest).toBeGreaterThan(560);
  expect(outsideRect).toBe(0);
});

test('without the slot\'s body skin only the skin near the face changes (the hands stay as drawn)', () => {
  const f = frame();
  const out = new Uint8Array(f.data);
  recolourDrawnSkin(f, out, face, SKIN, DARK, 1);
  expect(px(out, 80, 540)).toEqual(SKIN);
  expect(px(out, 90, 470)).toEqual(SKIN);
});

test('a face of the drawing\'s own tone changes no hand either', () => {
  const f = frame();
  const out = new Uint8Array(f.data);
  expect(recolourDrawnSkin(f, out, face, SKIN, SKIN, 1, [HERO_HAND, HERO_ARM]).changed).toBe(0);
  expect(Buffer.compare(Buffer.from(out), Buffer.from(f.data))).toBe(0);
});
