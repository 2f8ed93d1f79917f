/**
 * A synthetic template around a face oval (for the face-edge tests): the background, and the
 * drawing's face — the oval of `dst` (468 × 3 target points) grown outward by `grow` px, filled with
 * skin, inside an ink ring of `ring` px. `halftone`: every other pixel of every other row of the
 * skin is a darker shade of it (a drawn shadow's dots).
 */
import { FACE_OVAL } from '../../engine/fusion/canonical-mesh';
import { fillPolygon, type RgbImage } from '../../engine/core/raster';

type Rgb = readonly [number, number, number];

export function drawnFaceFrame(
  width: number, height: number, dst: Float32Array,
  o: { bg: Rgb; skin: Rgb; ink: Rgb; drawn?: { grow: number; ring: number; halftone?: boolean } },
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(o.bg, i * 3);
  if (o.drawn) {
    let cx = 0, cy = 0;
    for (const i of FACE_OVAL) { cx += dst[i * 3] / FACE_OVAL.length; cy += dst[i * 3 + 1] / FACE_OVAL.length; }
    const grown = (g: number): [number[], number[]] => {
      const xs: number[] = [], ys: number[] = [];
      for (const i of FACE_OVAL) {
        const dx = dst[i * 3] - cx, dy = dst[i * 3 + 1] - cy, l = Math.hypot(dx, dy);
        xs.push(cx + dx * (l + g) / l); ys.push(cy + dy * (l + g) / l);
      }
      return [xs, ys];
    };
    const outer = new Float32Array(width * height), inner = new Float32Array(width * height);
    fillPolygon(outer, width, height, ...grown(o.drawn.grow + o.drawn.ring));
    fillPolygon(inner, width, height, ...grown(o.drawn.grow));
    const shade = o.skin.map((v) => Math.round(0.7 * v));
    for (let i = 0; i < width * height; i++) {
      if (!outer[i]) continue;
      const dot = o.drawn.halftone && (i % width) % 2 === 0 && Math.floor(i / width) % 2 === 0;
      data.set(!inner[i] ? o.ink : dot ? shade : o.skin, i * 3);
    }
  }
  return { data, width, height };
}
