/**
 * A drawn comic frame of our own (720×1280, flat colours, ink outlines, a drawn face per slot), for
 * fusion tests and the benchmark while the story templates are not there (and for CI, which must
 * not depend on the templates' art). The drawn face follows engine/fusion/slot.ts: the slot's projected
 * face oval is filled with the skin tone, hair sits above the oval's top.
 */
import sharp from 'sharp';
import { projectSlot, FACE_OVAL, JAW } from '../engine/fusion/canonical-mesh';
import { SlotSchema, type Slot } from '../engine/fusion/slot';
import type { RgbImage } from '../engine/core/raster';

export const SYNTHETIC_SLOTS: Slot[] = [
  SlotSchema.parse({ id: 'hero', role: 'hero', pose: { center: [360, 470], width: 300, yaw: 0, pitch: 0, roll: 0 }, style: {} }),
];

export const SYNTHETIC_GROUP_SLOTS: Slot[] = [
  SlotSchema.parse({ id: 'hero', role: 'hero', pose: { center: [230, 520], width: 220, yaw: 15, pitch: 0, roll: -5 }, style: {} }),
  SlotSchema.parse({ id: 'friend', role: 'extra', pose: { center: [500, 560], width: 200, yaw: -20, pitch: 5, roll: 6 }, style: { skinTone: '#e8b48e' } }),
];

function faceSvg(slot: Slot): string {
  const p = projectSlot(slot.pose);
  const oval = FACE_OVAL.map((i) => p[i].join(',')).join(' ');
  const jaw = JAW.map((i) => p[i].join(',')).join(' ');
  const w = slot.pose.width;
  const [cx, cy] = slot.pose.center;
  const top = p[10];
  const eye = (i: number, j: number) => {
    const x = (p[i][0] + p[j][0]) / 2, y = (p[i][1] + p[j][1]) / 2;
    return `<ellipse cx="${x}" cy="${y}" rx="${w * 0.045}" ry="${w * 0.03}" fill="#1b1b1f"/>`;
  };
  const mouth = `<path d="M ${p[61].join(' ')} Q ${p[17][0]} ${p[17][1] + w * 0.03} ${p[291].join(' ')}" stroke="#1b1b1f" stroke-width="${w * 0.015}" fill="none"/>`;
  // Hair: drawn first, so it frames the oval (the slot convention: the oval stops at the hairline).
  const hair = `<path d="M ${cx - w * 0.58} ${cy - w * 0.05} Q ${cx - w * 0.62} ${top[1] - w * 0.35} ${cx} ${top[1] - w * 0.28} Q ${cx + w * 0.62} ${top[1] - w * 0.35} ${cx + w * 0.58} ${cy - w * 0.05} L ${cx + w * 0.5} ${top[1] + w * 0.12} Q ${cx} ${top[1] - w * 0.02} ${cx - w * 0.5} ${top[1] + w * 0.12} Z" fill="#2b2118"/>`;
  return `<g>
    <rect x="${cx - w * 0.16}" y="${p[152][1] - w * 0.1}" width="${w * 0.32}" height="${w * 0.45}" fill="${slot.style.skinTone}"/>
    <path d="M ${cx - w * 0.9} ${p[152][1] + w * 0.35} Q ${cx} ${p[152][1] + w * 0.15} ${cx + w * 0.9} ${p[152][1] + w * 0.35} L ${cx + w} 1280 L ${cx - w} 1280 Z" fill="#3a86ff" stroke="#1b1b1f" stroke-width="5"/>
    ${hair}
    <polygon points="${oval}" fill="${slot.style.skinTone}"/>
    <polyline points="${jaw}" fill="none" stroke="#1b1b1f" stroke-width="${w * 0.015}"/>
    ${eye(33, 133)}${eye(263, 362)}${mouth}
  </g>`;
}

export function syntheticSvg(slots: Slot[], width = 720, height = 1280): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ffd6a5"/><stop offset="1" stop-color="#bde0fe"/></linearGradient></defs>
  <rect width="${width}" height="${height}" fill="url(#sky)"/>
  <rect x="40" y="820" width="120" height="400" fill="#adb5bd" stroke="#1b1b1f" stroke-width="4"/>
  <rect x="560" y="760" width="140" height="460" fill="#ced4da" stroke="#1b1b1f" stroke-width="4"/>
  <circle cx="600" cy="150" r="60" fill="#ffb703"/>
  ${slots.map(faceSvg).join('\n')}
</svg>`;
}

export async function syntheticFrame(slots: Slot[] = SYNTHETIC_SLOTS): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(syntheticSvg(slots))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
