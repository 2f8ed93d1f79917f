/**
 * Writes the eight stories' art (templates/stories/<id>/frame-<n>.svg) and manifests (story.json)
 * from the art kit. Run: `npx tsx scripts/templates/draw-stories.ts [storyId…]`.
 *
 * The SVGs and story.json are committed and are the campaign's editable source: an operator may edit
 * them directly (then do not re-run this generator for that story) or change this file and re-run it.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as K from './art-kit';
import { C, INK } from './art-kit';
import { layoutCaption } from '../../templates/overlay';
import type { Slot, SlotPose, SlotStyle } from '../../engine/fusion/slot';
import type { Bubble, PosterLayout, Story } from '../../engine/pipeline/story-schema';

const W = 720;
const H = 1280;
const ROOT = path.resolve(__dirname, '../../templates');

type Fig = Omit<K.CharacterSpec, 'pose' | 'skin'> & {
  id: string;
  role: 'hero' | 'extra';
  pose: Partial<SlotPose> & { center: [number, number]; width: number };
  skin?: string;
  style?: Partial<SlotStyle>;
};

interface FrameDef {
  bg: string;
  figs: Fig[];
  fg?: string;
  caption: string;
  captionAt: 'top' | 'bottom';
  bubbles?: Array<Omit<Bubble, 'kind' | 'size' | 'tail'> & { kind?: Bubble['kind']; size?: number; tail?: [number, number] | null; to?: string }>;
}

interface StoryDef {
  id: string;
  cover: number;
  style: Partial<SlotStyle>;
  hero: Omit<Fig, 'id' | 'role' | 'pose'>;
  frames: FrameDef[];
}

const SKIN = '#f3c9a4';
const pose = (p: Fig['pose']): SlotPose => ({ yaw: 0, pitch: 0, roll: 0, ...p });

/** A point just outside a head, towards `from` (where a bubble tail ends). */
function tailPoint(p: SlotPose, from: [number, number]): [number, number] {
  const [cx, cy] = p.center;
  const dx = from[0] - cx, dy = from[1] - cy;
  const l = Math.hypot(dx, dy) || 1;
  const k = p.width * 0.82;
  return [Math.round(cx + (dx / l) * k), Math.round(cy + (dy / l) * k * 1.1)];
}

function hero(def: StoryDef, p: Fig['pose'], extra: Partial<Fig> = {}): Fig {
  return { id: 'hero', role: 'hero', ...def.hero, ...extra, pose: p } as Fig;
}

// ------------------------------------------------------------------------------------------ stories

const s: Record<string, StoryDef> = {};

// 闯 · 南下 — 1980, a fishing village by the sea
s.chuang = {
  id: 'chuang',
  cover: 0,
  style: { skinTone: SKIN, toneBands: 4, smoothing: 0.6, ink: 0.7 },
  hero: { outfit: 'shirt', color: '#6b9080', accent: '#a4c3b2', hair: 'short', hairColor: '#2b2118' },
  frames: [],
};
s.chuang.frames = [
  {
    bg:
      K.sky(W, H, '#7ec8e3', '#e0f4ff', 5, 760) +
      K.sun(575, 300, 58) +
      K.cloud(180, 260, 1.1) +
      K.cloud(470, 420, 0.8) +
      K.hills(640, W, '#7fb069', 21, 120) +
      K.sea(700, W, H, C.sea, 3) +
      K.boat(140, 790, 0.8) +
      K.boat(560, 840, 0.6, '#bc6c25') +
      K.villageHouse(40, 700, 90, 60) +
      K.villageHouse(560, 696, 110, 64, '#f1e3c6', '#9c6644') +
      K.palm(640, 1000, 300, -0.12),
    figs: [],
    fg: K.bag(110, 1150, 1.4, '#bc4749'),
    caption: '1980年，我背着行囊，来到南海边的小渔村。',
    captionAt: 'top',
    bubbles: [{ text: '这里就是深圳？', x: 380, y: 470, w: 300, to: 'hero' }],
  },
  {
    bg:
      K.sky(W, H, '#8ecae6', '#fefae0', 4, 700) +
      K.sea(560, W, H, C.sea, 5) +
      K.boat(560, 620, 0.7) +
      K.ground(760, W, H, '#dda15e') +
      K.villageHouse(-20, 800, 220, 200) +
      K.villageHouse(470, 790, 260, 180, '#f6e7c1', '#9c6644') +
      K.palm(320, 860, 380, 0.1),
    figs: [],
    caption: '渔村的阿伯递来一碗热茶，笑着招呼我。',
    captionAt: 'bottom',
    bubbles: [
      { text: '后生仔，饮杯茶先！', x: 50, y: 170, w: 330, to: 'uncle' },
      { text: '多谢阿伯！', x: 420, y: 230, w: 250, to: 'hero' },
    ],
  },
  {
    bg:
      K.sky(W, H, '#ffb703', '#ffe8a3', 5, 900) +
      K.speedLines(360, 640, 260, 900, 40, 7, '#fb8500') +
      K.hills(930, W, '#bc6c25', 8, 60) +
      K.ground(940, W, H, '#dda15e', 'hatch') +
      `<line x1="600" y1="1150" x2="600" y2="700" stroke="${INK}" stroke-width="14"/><line x1="600" y1="1150" x2="600" y2="700" stroke="#d4a373" stroke-width="7"/>` +
      `<path d="M604,706 L700,736 L604,770 Z" fill="${C.red}" stroke="${INK}" stroke-width="5" stroke-linejoin="round"/>`,
    figs: [],
    caption: '荒坡上，我钉下了第一根测量桩。',
    captionAt: 'top',
    bubbles: [{ text: '就从这里开始！', x: 40, y: 1020, w: 300, kind: 'shout', to: 'hero' }],
  },
  {
    bg:
      K.wall(W, H, '#2b3a67') +
      K.windowFrame(380, 110, 300, 330, K.sky(720, 460, '#0b1d51', '#35477d', 3, 460) + K.stars(30, 720, 460, 4) + `<circle cx="600" cy="190" r="40" fill="#fff3b0" stroke="${INK}" stroke-width="5"/>`) +
      K.streetLamp(80, 900, 520, true),
    figs: [],
    fg:
      K.desk(0, 1000, W, '#9c6644') +
      `<rect x="250" y="960" width="240" height="50" fill="#ffffff" stroke="${INK}" stroke-width="5" transform="rotate(-4 370 985)"/><line x1="280" y1="975" x2="450" y2="965" stroke="${C.grey}" stroke-width="4"/><line x1="280" y1="992" x2="430" y2="982" stroke="${C.grey}" stroke-width="4"/>` +
      K.mug(120, 975, 0.9, '#e9c46a'),
    caption: '夜里给家里写信：这里，每天都不一样。',
    captionAt: 'bottom',
    bubbles: [{ text: '明天会更好！', x: 40, y: 150, w: 290, kind: 'thought', to: 'hero' }],
  },
];
s.chuang.frames[0].figs = [hero(s.chuang, { center: [330, 820], width: 250, yaw: -12, roll: -3 }, { arms: ['down', 'point'], expression: 'surprised' })];
s.chuang.frames[1].figs = [
  { id: 'uncle', role: 'extra', pose: { center: [190, 640], width: 200, yaw: 20, roll: 3 }, skin: '#d9a07b', outfit: 'tshirt', color: '#e9c46a', hair: 'short', hairColor: '#6c757d', hat: 'straw', arms: ['down', 'front'], expression: 'grin', holdRight: (x, y) => K.mug(x, y - 30, 1, '#ffffff') },
  hero(s.chuang, { center: [500, 700], width: 230, yaw: -18 }, { arms: ['front', 'down'], expression: 'grin' }),
];
s.chuang.frames[2].figs = [hero(s.chuang, { center: [330, 620], width: 240, yaw: 22, roll: 6 }, { arms: ['hip', 'point'], expression: 'determined' })];
s.chuang.frames[3].figs = [hero(s.chuang, { center: [380, 660], width: 260, pitch: -8, roll: 4 }, { arms: ['type', 'type'], expression: 'calm' })];

// 快 · 三天一层楼 — 1984, construction speed
s.kuai = {
  id: 'kuai',
  cover: 2,
  style: { skinTone: '#eebb94', toneBands: 4, smoothing: 0.6, ink: 0.75 },
  hero: { outfit: 'vest', color: '#457b9d', accent: '#fb8500', hair: 'short', hat: 'hardhat', hatColor: C.sun },
  frames: [
    {
      bg:
        K.sky(W, H, '#48cae4', '#caf0f8', 5) +
        K.cloud(560, 220, 1) +
        K.unfinishedTower(60, 1300, 420, 1050) +
        K.crane(560, 1300, 1080, 260, C.sun, true) +
        K.scaffolding(20, 250, 520, 1100),
      figs: [],
      caption: '1984年，脚手架一路爬上了云端。',
      captionAt: 'top',
      bubbles: [{ text: '再加一层！', x: 430, y: 400, w: 240, to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#90e0ef', '#e9f5f9', 4) +
        K.skyline(720, W, 41, ['#adb5bd', '#ced4da', '#dee2e6'], { minH: 200, maxH: 520, windows: 'grid' }) +
        K.crane(120, 760, 600, 320, C.red) +
        K.ground(720, W, H, '#b08968', 'hatch') +
        K.sign(470, 130, 200, 70, '安全第一', C.red, '#ffffff', 40),
      figs: [],
      fg: `<rect x="-20" y="1040" width="760" height="46" fill="#6c757d" stroke="${INK}" stroke-width="7" transform="rotate(-5 360 1063)"/><rect x="-20" y="1040" width="760" height="46" fill="url(#hatch)" transform="rotate(-5 360 1063)"/>`,
      caption: '三天一层楼，工友们和时间赛跑。',
      captionAt: 'bottom',
      bubbles: [{ text: '一、二，起！', x: 40, y: 250, w: 250, kind: 'shout', to: 'mate' }],
    },
    {
      bg: `<rect width="${W}" height="${H}" fill="#ffd166"/>` + K.speedLines(360, 620, 300, 900, 56, 3, '#f77f00') + K.crane(620, 1300, 900, 200, '#ffffff', true),
      figs: [],
      fg: K.sweat(560, 470, 1.4) + K.sweat(150, 560, 1.1),
      caption: '汗水落在钢筋上，也落进梦想里。',
      captionAt: 'bottom',
      bubbles: [{ text: '快！再快一点！', x: 40, y: 90, w: 330, kind: 'shout', size: 42, to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#3a0ca3', '#f72585', 6, 900) +
        K.firework(150, 250, 100, C.yellow) +
        K.firework(580, 380, 80, '#4cc9f0') +
        K.firework(560, 160, 60, '#ffffff') +
        K.skyline(1000, W, 12, ['#7209b7', '#560bad', '#480ca8'], { minH: 120, maxH: 300, windows: 'lit' }) +
        K.railing(1020, W, '#adb5bd') +
        K.confetti(40, 40, 120, 640, 700, 5),
      figs: [],
      caption: '封顶那天，整座城都在长高。',
      captionAt: 'top',
      bubbles: [{ text: '我们做到了！', x: 400, y: 230, w: 280, kind: 'shout', to: 'hero' }],
    },
  ],
};
s.kuai.frames[0].figs = [hero(s.kuai, { center: [360, 660], width: 240, yaw: 10, pitch: 8, roll: -4 }, { arms: ['down', 'wave'], expression: 'grin' })];
s.kuai.frames[1].figs = [
  { id: 'mate', role: 'extra', pose: { center: [200, 700], width: 200, yaw: 16, roll: 3 }, skin: '#d9a07b', outfit: 'vest', color: '#6d597a', accent: '#fb8500', hair: 'short', hat: 'hardhat', hatColor: C.red, arms: ['front', 'front'], expression: 'open' },
  hero(s.kuai, { center: [490, 660], width: 220, yaw: -15 }, { arms: ['front', 'front'], expression: 'determined' }),
];
s.kuai.frames[2].figs = [hero(s.kuai, { center: [360, 640], width: 310, yaw: -20, roll: -6 }, { arms: ['down', 'down'], expression: 'determined' })];
s.kuai.frames[3].figs = [hero(s.kuai, { center: [360, 720], width: 230, roll: 5 }, { arms: ['up', 'up'], expression: 'grin' })];

// 潮 · 华强北 — the electronics market
s.chao = {
  id: 'chao',
  cover: 2,
  style: { skinTone: SKIN, toneBands: 4, smoothing: 0.65, ink: 0.7 },
  hero: { outfit: 'jacket', color: '#e76f51', accent: '#264653', hair: 'curly', hairColor: '#3d2b1f' },
  frames: [
    {
      bg:
        K.sky(W, H, '#caf0f8', '#fefae0', 3, 300) +
        K.building(-20, 700, 260, 700, '#ffcad4', { windows: 'grid' }) +
        K.building(480, 700, 260, 700, '#cdb4db', { windows: 'grid' }) +
        K.building(230, 700, 260, 600, '#bde0fe', { windows: 'grid' }) +
        K.sign(30, 180, 70, 260, '电子市场', C.red, '#ffffff', 44, true) +
        K.sign(620, 200, 70, 210, '通讯城', '#0077b6', '#ffffff', 44, true) +
        K.sign(260, 140, 200, 70, '配件·维修', C.sun, INK, 36) +
        K.stall(20, 720, 320, 560, C.red, 4) +
        K.stall(380, 720, 320, 560, '#0077b6', 8),
      figs: [],
      caption: '九十年代，电子街上人潮涌动。',
      captionAt: 'top',
      bubbles: [{ text: '芯片、电阻、电容，这条街全都有！', x: 360, y: 360, w: 330, size: 34, to: 'hero' }],
    },
    {
      bg:
        K.wall(W, H, '#ffe5ec') +
        K.stall(-30, 180, 780, 1100, C.red, 15) +
        K.sign(440, 240, 240, 70, '修理·组装', '#0077b6', '#ffffff', 38),
      figs: [],
      fg:
        `<rect x="-20" y="1010" width="760" height="300" fill="${C.navy}" stroke="${INK}" stroke-width="7"/><rect x="-20" y="1010" width="760" height="300" fill="url(#ht-white)" opacity="0.35"/>` +
        K.circuitBoard(470, 1000, 1.3, -6) +
        `<line x1="560" y1="1060" x2="660" y2="930" stroke="${INK}" stroke-width="16" stroke-linecap="round"/><line x1="560" y1="1060" x2="660" y2="930" stroke="${C.sun}" stroke-width="8" stroke-linecap="round"/>` +
        K.sparkle(540, 990, 0.8),
      caption: '在柜台后面，跟阿姨学会了焊电路板。',
      captionAt: 'bottom',
      bubbles: [{ text: '手要稳！', x: 40, y: 250, w: 200, to: 'auntie' }],
    },
    {
      bg: `<rect width="${W}" height="${H}" fill="#ffafcc"/><rect width="${W}" height="${H}" fill="url(#ht-big)"/>` + K.speedLines(360, 640, 280, 900, 36, 5, '#ffffff') + K.sparkle(600, 340, 1.2) + K.sparkle(110, 900, 1),
      figs: [],
      caption: '亲手装好的第一台电话，响了！',
      captionAt: 'top',
      bubbles: [{ text: '喂？听得见吗？', x: 40, y: 1050, w: 320, kind: 'shout', to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#240046', '#ff7b00', 6, 820) +
        K.building(-20, 900, 240, 700, '#3c096c', { windows: 'lit' }) +
        K.building(500, 900, 240, 760, '#5a189a', { windows: 'lit' }) +
        K.sign(40, 260, 160, 70, '电子', '#ff006e', '#fff3b0', 44) +
        K.sign(530, 210, 170, 70, '电脑城', '#3a86ff', '#ffffff', 40) +
        K.sign(560, 330, 70, 220, '手机配件', '#ffbe0b', INK, 40, true) +
        K.ground(900, W, H, '#495057', 'hatch'),
      figs: [],
      fg: K.bicycle(540, 1150, 1.05) + K.boxes(560, 1040, 0.85),
      caption: '骑车送货，穿过霓虹闪烁的街口。',
      captionAt: 'bottom',
      bubbles: [{ text: '明天进新货！', x: 40, y: 380, w: 270, to: 'hero' }],
    },
  ],
};
s.chao.frames[0].figs = [hero(s.chao, { center: [260, 700], width: 230, yaw: 12 }, { arms: ['hold', 'hold'], expression: 'grin', holdLeft: (x, y) => K.circuitBoard(x + 70, y, 1, 8) })];
s.chao.frames[1].figs = [
  { id: 'auntie', role: 'extra', pose: { center: [190, 590], width: 190, yaw: 20 }, skin: '#f1c7a1', outfit: 'apron', color: '#f4a261', accent: '#ffffff', hair: 'bun', hairColor: '#3d2b1f', glasses: true, arms: ['down', 'point'], expression: 'smile' },
  hero(s.chao, { center: [470, 660], width: 220, yaw: -10, pitch: -10 }, { arms: ['type', 'type'], expression: 'calm' }),
];
s.chao.frames[2].figs = [hero(s.chao, { center: [330, 650], width: 300, yaw: 15, roll: -5 }, { arms: ['down', 'wave'], expression: 'open', holdRight: (x, y) => K.brickPhone(x, y - 40, 1.2, 10) })];
s.chao.frames[3].figs = [hero(s.chao, { center: [300, 640], width: 220, yaw: -15 }, { arms: ['wave', 'hip'], expression: 'grin' })];

// 创 · 车库创业 — 1998, a startup in a small room
s.chuangxin = {
  id: 'chuangxin',
  cover: 3,
  style: { skinTone: SKIN, toneBands: 4, smoothing: 0.6, ink: 0.7 },
  hero: { outfit: 'hoodie', color: '#6a4c93', accent: '#ffffff', hair: 'spiky', hairColor: '#231942' },
  frames: [
    {
      bg:
        K.wall(W, H, '#ffe8d6') +
        K.windowFrame(40, 120, 260, 300, K.sky(720, 460, '#1d3557', '#457b9d', 3, 460) + K.skyline(420, 720, 3, ['#0b132b', '#1c2541'], { minH: 60, maxH: 200, windows: 'lit' })) +
        `<rect x="470" y="170" width="90" height="90" fill="#fdffb6" stroke="${INK}" stroke-width="4" transform="rotate(5 515 215)"/><rect x="580" y="230" width="90" height="90" fill="#caffbf" stroke="${INK}" stroke-width="4" transform="rotate(-6 625 275)"/><rect x="500" y="300" width="90" height="90" fill="#ffc6ff" stroke="${INK}" stroke-width="4" transform="rotate(-3 545 345)"/>`,
      figs: [],
      fg: K.desk(-20, 1000, 760, '#b5835a') + K.crt(560, 990, 1.05) + K.mug(110, 980, 0.9, C.red),
      caption: '1998年：一张桌子、一台电脑、一个梦。',
      captionAt: 'top',
      bubbles: [{ text: '第一行代码，跑起来了！', x: 400, y: 430, w: 290, to: 'hero' }],
    },
    {
      bg:
        K.wall(W, H, '#e2ece9') +
        K.whiteboard(60, 140, 600, 460,
          `<rect x="110" y="200" width="140" height="80" fill="none" stroke="#0077b6" stroke-width="6"/><text x="180" y="254" text-anchor="middle" font-family="ZCOOL KuaiLe" font-size="40" fill="#0077b6">用户</text>` +
          `<path d="M250,240 L380,240 M360,226 L382,240 L360,254" fill="none" stroke="${C.red}" stroke-width="6" stroke-linecap="round"/>` +
          `<circle cx="460" cy="240" r="60" fill="none" stroke="${C.teal}" stroke-width="6"/><text x="460" y="254" text-anchor="middle" font-family="ZCOOL KuaiLe" font-size="40" fill="${C.teal}">产品</text>` +
          `<path d="M130,420 Q220,330 320,420 T520,400" fill="none" stroke="${C.purple}" stroke-width="6"/>`) +
        K.bulb(600, 170, 0.9),
      figs: [],
      caption: '和伙伴在白板上，画出产品的样子。',
      captionAt: 'bottom',
      bubbles: [{ text: '这个点子好！', x: 40, y: 640, w: 250, to: 'partner' }],
    },
    {
      bg:
        K.wall(W, H, '#14213d') +
        `<rect width="${W}" height="${H}" fill="url(#ht-white)" opacity="0.08"/>` +
        K.clock(590, 330, 80, 3, 0) +
        `<ellipse cx="360" cy="760" rx="420" ry="380" fill="#90e0ef" opacity="0.18"/>`,
      figs: [],
      fg: K.desk(-20, 1040, 760, '#5c4033') + K.monitor(580, 1040, 1.1) + K.noodleCup(120, 1020, 1),
      caption: '凌晨三点，泡面配调试。',
      captionAt: 'top',
      bubbles: [{ text: '再改一版！', x: 430, y: 470, w: 250, kind: 'shout', to: 'hero' }],
    },
    {
      bg: `<rect width="${W}" height="${H}" fill="#4cc9f0"/>` + K.speedLines(360, 600, 250, 900, 44, 11, '#ffffff') + K.confetti(60, 30, 30, 660, 1200, 9),
      figs: [],
      caption: '第一批订单来了！我们的产品上线啦！',
      captionAt: 'bottom',
      bubbles: [{ text: '成功了！', x: 40, y: 130, w: 220, kind: 'shout', size: 44, to: 'hero' }],
    },
  ],
};
s.chuangxin.frames[0].figs = [hero(s.chuangxin, { center: [300, 640], width: 240, yaw: 8, pitch: -6 }, { arms: ['type', 'type'], expression: 'grin' })];
s.chuangxin.frames[1].figs = [
  { id: 'partner', role: 'extra', pose: { center: [200, 860], width: 190, yaw: 20 }, skin: '#f6d5b8', outfit: 'shirt', color: '#2a9d8f', hair: 'ponytail', hairColor: '#5e3023', glasses: true, arms: ['down', 'hold'], expression: 'open' },
  hero(s.chuangxin, { center: [480, 800], width: 220, yaw: -18 }, { arms: ['down', 'up'], expression: 'smile' }),
];
s.chuangxin.frames[2].figs = [hero(s.chuangxin, { center: [330, 680], width: 270, yaw: -10, roll: 8 }, { arms: ['type', 'type'], expression: 'determined' })];
s.chuangxin.frames[3].figs = [hero(s.chuangxin, { center: [370, 640], width: 250, roll: -4 }, { arms: ['up', 'up'], expression: 'grin', holdRight: (x, y) => `<g transform="translate(${x},${y - 70}) rotate(8)"><rect x="-70" y="-60" width="140" height="110" fill="#ffffff" stroke="${INK}" stroke-width="6"/><text x="0" y="10" text-anchor="middle" font-family="ZCOOL KuaiLe" font-size="48" fill="${C.purple}">1.0</text></g>` })];

// 拼 · 不夜城 — 2005, night office towers
s.pin = {
  id: 'pin',
  cover: 1,
  style: { skinTone: '#f0c29e', toneBands: 4, smoothing: 0.6, ink: 0.7 },
  hero: { outfit: 'suit', color: '#1d3557', accent: C.red, hair: 'short', hairColor: '#1b1b1f' },
  frames: [
    {
      bg:
        K.sky(W, H, '#03045e', '#0077b6', 5, 900) +
        K.stars(40, W, 500, 8) +
        `<circle cx="580" cy="230" r="50" fill="#fff3b0" stroke="${INK}" stroke-width="5"/>` +
        K.tower(20, 1000, 170, 820, '#48cae4', true, true) +
        K.tower(520, 1000, 180, 760, '#0096c7', false, true) +
        K.tower(230, 1000, 150, 600, '#00b4d8', true, true) +
        K.ground(1000, W, H, '#343a40', 'hatch'),
      figs: [],
      caption: '2005年，写字楼的灯彻夜不熄。',
      captionAt: 'top',
      bubbles: [{ text: '今晚也要加油！', x: 390, y: 460, w: 300, to: 'hero' }],
    },
    {
      bg:
        K.wall(W, H, '#1d2d44') +
        K.windowFrame(40, 80, 640, 560, K.sky(720, 700, '#0d1b2a', '#415a77', 3, 700) + K.skyline(660, 720, 7, ['#1b263b', '#0d1b2a', '#2b2d42'], { minH: 200, maxH: 480, windows: 'lit' }), '#8d99ae'),
      figs: [],
      fg: K.desk(-20, 1060, 760, '#adb5bd') + K.monitor(150, 1060, 1.1, '#caf0f8') + K.mug(620, 1040, 0.9),
      caption: '一个电话，连着半个地球的客户。',
      captionAt: 'bottom',
      bubbles: [{ text: '好，明早发货！', x: 360, y: 150, w: 300, to: 'hero' }],
    },
    {
      bg: `<rect width="${W}" height="${H}" fill="#ffbe0b"/>` + K.speedLines(360, 420, 80, 900, 48, 21, '#fb5607') + K.sparkle(360, 400, 2.2, '#ffffff') + K.confetti(30, 60, 160, 600, 400, 3),
      figs: [],
      caption: '项目上线！和同事一起欢呼。',
      captionAt: 'top',
      bubbles: [{ text: '漂亮！', x: 40, y: 1100, w: 180, kind: 'shout', to: 'colleague' }],
    },
    {
      bg:
        K.skyBands(W, ['#1d3557', '#3d5a80', '#98c1d9', '#f6bd60', '#f7a072', '#ffd166'], 1000) +
        K.sun(360, 900, 110, '#ffd166', true) +
        K.skyline(1020, W, 31, ['#2b2d42', '#3d405b', '#22223b'], { minH: 150, maxH: 420, windows: 'lit' }) +
        K.railing(1040, W, '#adb5bd'),
      figs: [],
      caption: '天亮了，城市和我都没停下。',
      captionAt: 'bottom',
      bubbles: [{ text: '新的一天！', x: 40, y: 150, w: 250, to: 'hero' }],
    },
  ],
};
s.pin.frames[0].figs = [hero(s.pin, { center: [360, 780], width: 220, yaw: 15, pitch: 10 }, { arms: ['down', 'down'], expression: 'smile', bodyDx: 0 })];
s.pin.frames[1].figs = [hero(s.pin, { center: [340, 720], width: 250, yaw: 18 }, { arms: ['down', 'wave'], expression: 'open', holdRight: (x, y) => K.smartphone(x - 10, y - 30, 1.1, 12) })];
s.pin.frames[2].figs = [
  { id: 'colleague', role: 'extra', pose: { center: [235, 760], width: 200, yaw: 20, roll: -4 }, skin: '#f6d5b8', outfit: 'suit', color: '#6c757d', accent: '#ffffff', hair: 'bob', hairColor: '#3d2b1f', arms: ['up', 'down'], expression: 'grin' },
  hero(s.pin, { center: [480, 720], width: 220, yaw: -20, roll: 4 }, { arms: ['down', 'up'], expression: 'grin' }),
];
s.pin.frames[3].figs = [hero(s.pin, { center: [380, 660], width: 250, yaw: -8, roll: 3 }, { arms: ['hold', 'down'], expression: 'calm', holdLeft: (x, y) => K.mug(x + 40, y, 1.1, '#ffffff') })];

// 新 · 前海新城 — 2012, a new district by the sea
s.xin = {
  id: 'xin',
  cover: 2,
  style: { skinTone: SKIN, toneBands: 4, smoothing: 0.6, ink: 0.7 },
  hero: { outfit: 'vest', color: '#f1faee', accent: '#fb8500', hair: 'short', hairColor: '#4a2c1d' },
  frames: [
    {
      bg:
        K.sky(W, H, '#90e0ef', '#f1faee', 4, 700) +
        K.cloud(560, 300, 1.2) +
        K.sea(620, W, H, '#48cae4', 7) +
        K.ground(820, W, H, '#e9c46a', 'ht') +
        `<g transform="translate(600,820)"><line x1="0" y1="0" x2="-40" y2="170" stroke="${INK}" stroke-width="8"/><line x1="0" y1="0" x2="40" y2="170" stroke="${INK}" stroke-width="8"/><line x1="0" y1="0" x2="0" y2="180" stroke="${INK}" stroke-width="8"/><rect x="-36" y="-40" width="72" height="44" rx="8" fill="${C.sun}" stroke="${INK}" stroke-width="5"/><circle cx="36" cy="-18" r="12" fill="${C.navy}" stroke="${INK}" stroke-width="4"/></g>` +
        K.crane(120, 640, 300, 160, C.red),
      figs: [],
      caption: '2012年，海边的滩涂上画出一座新城。',
      captionAt: 'top',
      bubbles: [{ text: '这片海边，会长出新城！', x: 380, y: 420, w: 300, to: 'hero' }],
    },
    {
      bg: K.wall(W, H, '#d8e2dc') + `<rect x="60" y="140" width="600" height="380" fill="#a8dadc" stroke="${INK}" stroke-width="6"/>` + `<path d="M80,480 L240,300 L400,380 L640,200" fill="none" stroke="${C.navy}" stroke-width="5" stroke-dasharray="14 10"/>` + `<text x="100" y="200" font-family="ZCOOL KuaiLe" font-size="40" fill="${C.navy}">新城规划图</text>`,
      figs: [],
      fg:
        `<polygon points="-20,1060 740,1060 740,1300 -20,1300" fill="#d4a373" stroke="${INK}" stroke-width="7"/>` +
        K.building(60, 1140, 60, 130, '#ffffff', { windows: 'bands' }) +
        K.building(140, 1150, 50, 90, '#caf0f8', { windows: 'bands' }) +
        K.tower(480, 1160, 70, 200, '#90e0ef', true) +
        K.tower(570, 1160, 60, 150, '#48cae4', false) +
        K.tree(240, 1160, 0.5) + K.tree(300, 1170, 0.45) + K.tree(380, 1160, 0.5),
      caption: '图纸上的街道，一条条变成了真的。',
      captionAt: 'bottom',
      bubbles: [{ text: '这里留给绿地和海风！', x: 40, y: 560, w: 260, to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#48cae4', '#e0fbfc', 5, 900) +
        K.tower(20, 1000, 150, 760, '#90e0ef', true) +
        K.tower(190, 1000, 120, 560, '#00b4d8', false) +
        K.tower(480, 1000, 130, 640, '#48cae4', true) +
        K.tower(600, 1000, 140, 820, '#0096c7', false) +
        K.train(-40, 880, 560, '#ffffff', '#06d6a0') +
        K.ground(1000, W, H, '#95d5b2', 'ht'),
      figs: [],
      caption: '新城长出来了，地铁也开到了海边。',
      captionAt: 'top',
      bubbles: [{ text: '下一站，新城！', x: 40, y: 410, w: 280, to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#ffafcc', '#ffe5d9', 5, 900) +
        K.kite(560, 250, 1.1, C.red, K.handPosition({ pose: pose({ center: [340, 800], width: 220, yaw: 10, pitch: 10 }), arms: ['down', 'up'] } as K.CharacterSpec, 1)) +
        K.kite(140, 330, 0.8, '#3a86ff') +
        K.kite(480, 430, 0.7, C.sun) +
        K.sea(760, W, H, '#48cae4', 9) +
        K.ground(900, W, H, '#80b918', 'ht') +
        K.tree(80, 980, 1.1) +
        K.tree(650, 990, 1),
      figs: [],
      caption: '傍晚的新城公园，天上飞满了风筝。',
      captionAt: 'bottom',
      bubbles: [{ text: '再飞高一点！', x: 40, y: 520, w: 260, to: 'hero' }],
    },
  ],
};
s.xin.frames[0].figs = [hero(s.xin, { center: [360, 700], width: 230, yaw: -10 }, { hat: 'hardhat', hatColor: '#ffffff', arms: ['hold', 'down'], expression: 'smile', holdLeft: (x, y) => `<g transform="translate(${x + 30},${y}) rotate(-30)"><rect x="-20" y="-110" width="40" height="220" rx="18" fill="#a8dadc" stroke="${INK}" stroke-width="6"/><ellipse cx="0" cy="-110" rx="20" ry="8" fill="#ffffff" stroke="${INK}" stroke-width="4"/></g>` })];
s.xin.frames[1].figs = [hero(s.xin, { center: [430, 700], width: 240, yaw: 12, pitch: -10 }, { arms: ['front', 'type'], expression: 'open' })];
s.xin.frames[2].figs = [hero(s.xin, { center: [400, 720], width: 220, yaw: -15, roll: 4 }, { arms: ['down', 'hold'], expression: 'grin', holdRight: (x, y) => K.smartphone(x + 20, y - 10, 1, -8) })];
s.xin.frames[3].figs = [hero(s.xin, { center: [340, 800], width: 220, yaw: 10, pitch: 10 }, { arms: ['down', 'up'], expression: 'grin' })];

// 融 · 湾区一家 — 2018, a family across the bay
s.rong = {
  id: 'rong',
  cover: 2,
  style: { skinTone: SKIN, toneBands: 4, smoothing: 0.6, ink: 0.7 },
  hero: { outfit: 'tshirt', color: '#2a9d8f', accent: '#ffd166', hair: 'short', hairColor: '#2b2118' },
  frames: [
    {
      bg:
        K.sky(W, H, '#4cc9f0', '#e0fbfc', 5, 700) +
        K.cloud(150, 250, 1) +
        K.hills(650, W, '#52b788', 17, 60) +
        K.sea(660, W, H, C.sea, 11) +
        K.bridge(640, -20, 740, [170, 560], '#f8f9fa', 300) +
        K.railing(1100, W, '#e9ecef'),
      figs: [],
      caption: '2018年，跨海大桥把海湾两岸连在了一起。',
      captionAt: 'top',
      bubbles: [{ text: '过了桥，就到家了！', x: 390, y: 450, w: 300, to: 'hero' }],
    },
    {
      bg:
        K.wall(W, H, '#ffe5d9') +
        `<path d="M0,110 Q360,170 720,110" fill="none" stroke="${INK}" stroke-width="4"/>` +
        [150, 360, 570].map((x) => `<line x1="${x}" y1="${128 + (x === 360 ? 16 : 0)}" x2="${x}" y2="${170 + (x === 360 ? 16 : 0)}" stroke="${INK}" stroke-width="4"/><ellipse cx="${x}" cy="${205 + (x === 360 ? 16 : 0)}" rx="44" ry="38" fill="${C.red}" stroke="${INK}" stroke-width="5"/><rect x="${x - 20}" y="${236 + (x === 360 ? 16 : 0)}" width="40" height="14" fill="${C.sun}" stroke="${INK}" stroke-width="3"/>`).join(''),
      figs: [],
      fg: K.table(-80, 1060, 880, '#c1121f') + K.dish(200, 1080, 1.2, '#f4a261') + K.dish(480, 1090, 1.1, '#e76f51') + K.dish(350, 1150, 1.2, '#90be6d'),
      caption: '周末过桥回家，一家人围坐一桌。',
      captionAt: 'bottom',
      bubbles: [{ text: '多吃点！', x: 40, y: 320, w: 200, to: 'grandma' }],
    },
    {
      bg:
        K.sky(W, H, '#48cae4', '#caf0f8', 4, 700) +
        K.sea(640, W, H, C.sea, 13) +
        K.bridge(620, -20, 740, [300], '#f8f9fa', 260),
      figs: [],
      caption: '在桥边，一家人拍张合影。',
      captionAt: 'top',
      bubbles: [{ text: '一、二、三，茄子！', x: 330, y: 200, w: 350, to: 'hero' }],
    },
    {
      bg:
        `<rect width="${W}" height="${H}" fill="#e9ecef"/>` +
        K.windowFrame(60, 200, 600, 820,
          K.sky(720, 1100, '#4cc9f0', '#ade8f4', 3, 700) + K.sea(640, 720, 1100, C.sea, 15) + K.hills(660, 720, '#52b788', 3, 50) +
          Array.from({ length: 14 }, (_, i) => `<line x1="${60 + (i * 53) % 600}" y1="${260 + i * 55}" x2="${200 + (i * 53) % 600}" y2="${260 + i * 55}" stroke="#ffffff" stroke-width="6" stroke-linecap="round"/>`).join(''),
          '#dee2e6'),
      figs: [],
      fg: `<rect x="-20" y="1120" width="760" height="200" fill="#adb5bd" stroke="${INK}" stroke-width="7"/><rect x="-20" y="1120" width="760" height="200" fill="url(#hatch)"/>`,
      caption: '高铁一小时，湾区就是一家。',
      captionAt: 'bottom',
      bubbles: [{ text: '下周再见！', x: 420, y: 240, w: 230, to: 'hero' }],
    },
  ],
};
s.rong.frames[0].figs = [hero(s.rong, { center: [320, 820], width: 230, yaw: -12 }, { arms: ['hip', 'wave'], expression: 'grin' })];
s.rong.frames[1].figs = [
  { id: 'grandma', role: 'extra', pose: { center: [200, 650], width: 200, yaw: 20, roll: -3 }, skin: '#eebb94', outfit: 'shirt', color: '#9d0208', accent: '#ffffff', hair: 'curly', hairColor: '#ced4da', glasses: true, arms: ['down', 'front'], expression: 'smile' },
  hero(s.rong, { center: [500, 680], width: 220, yaw: -18 }, { arms: ['front', 'down'], expression: 'grin' }),
];
s.rong.frames[2].figs = [
  { id: 'kid', role: 'extra', pose: { center: [190, 820], width: 180, yaw: 12, roll: -6 }, skin: '#f6d5b8', outfit: 'tshirt', color: '#ffb703', accent: C.red, hair: 'bun', hairColor: '#2b2118', arms: ['up', 'down'], expression: 'grin' },
  hero(s.rong, { center: [450, 660], width: 240, yaw: -10, roll: 8 }, { arms: ['hold', 'wave'], expression: 'grin', holdRight: (x, y) => K.smartphone(x, y - 20, 1.1, 10, '#ffffff') }),
];
s.rong.frames[3].figs = [hero(s.rong, { center: [360, 700], width: 250, yaw: 15 }, { arms: ['down', 'wave'], expression: 'open', bottom: 1200 })];

// 美 · 深圳湾 — 2026, sunset, egrets and mangroves
s.mei = {
  id: 'mei',
  cover: 3,
  style: { skinTone: '#f5cba7', toneBands: 4, smoothing: 0.65, ink: 0.65, saturation: 1.05 },
  hero: { outfit: 'jacket', color: '#f28482', accent: '#f6bd60', hair: 'bob', hairColor: '#3d2b1f' },
  frames: [
    {
      bg:
        K.sky(W, H, '#6d597a', '#ffb4a2', 6, 780) +
        K.sun(520, 640, 110, '#ffd166', false) +
        K.skyline(770, W, 5, ['#6d597a', '#7d6b91', '#5e4b6e'], { minH: 60, maxH: 260, minW: 40, maxW: 90, windows: 'none' }) +
        K.sea(770, W, H, '#e5989b', 17, '#ffe5d9') +
        K.egret(170, 300, 0.9) +
        K.egret(300, 380, 0.6, true) +
        K.egret(620, 420, 0.5) +
        K.railing(1080, W, '#b08968'),
      figs: [],
      caption: '2026年，深圳湾的夕阳刚刚好。',
      captionAt: 'top',
      bubbles: [{ text: '真美啊……', x: 40, y: 470, w: 220, to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#ffcdb2', '#fff1e6', 4, 800) +
        K.sea(700, W, H, '#b8e0d2', 19) +
        K.mangroves(760, W, 23) +
        K.egret(160, 330, 1.1) +
        K.egret(560, 260, 0.8, true) +
        K.egret(90, 760, 0.8, false, false),
      figs: [],
      caption: '白鹭从红树林里飞了起来。',
      captionAt: 'bottom',
      bubbles: [{ text: '别动，就这样！', x: 420, y: 240, w: 270, to: 'hero' }],
    },
    {
      bg:
        K.sky(W, H, '#e76f51', '#f4a261', 5, 900) +
        K.skyline(900, W, 37, ['#9c6644', '#7f5539', '#b08968'], { minH: 150, maxH: 460, windows: 'lit' }) +
        K.sea(900, W, H, '#e9c46a', 21) +
        `<rect x="-20" y="1060" width="760" height="40" fill="#9c6644" stroke="${INK}" stroke-width="7"/><rect x="-20" y="1100" width="760" height="300" fill="#7f5539" stroke="${INK}" stroke-width="7"/>`,
      figs: [],
      caption: '和老朋友坐在海边，聊起四十年的故事。',
      captionAt: 'top',
      bubbles: [{ text: '那时候，这里还是滩涂！', x: 40, y: 250, w: 300, to: 'friend' }],
    },
    {
      bg:
        K.sky(W, H, '#22223b', '#9a8c98', 6, 900) +
        K.stars(50, W, 500, 29) +
        K.skyline(960, W, 43, ['#4a4e69', '#22223b', '#3d405b'], { minH: 180, maxH: 520, windows: 'lit' }) +
        K.sea(960, W, H, '#4a4e69', 25, '#f2e9e4') +
        K.egret(590, 300, 0.7, true),
      figs: [],
      caption: '这座城，写满了我的故事。',
      captionAt: 'bottom',
      bubbles: [{ text: '这就是我的深圳！', x: 40, y: 160, w: 320, kind: 'shout', to: 'hero' }],
    },
  ],
};
s.mei.frames[0].figs = [hero(s.mei, { center: [380, 820], width: 220, yaw: 12, pitch: 5 }, { arms: ['down', 'hold'], expression: 'smile' })];
s.mei.frames[1].figs = [hero(s.mei, { center: [350, 610], width: 240, yaw: -15 }, { arms: ['hold', 'hold'], expression: 'open', holdLeft: (x, y) => K.camera(x + 60, y + 10, 1.1) })];
s.mei.frames[2].figs = [
  { id: 'friend', role: 'extra', pose: { center: [210, 680], width: 210, yaw: 20 }, skin: '#e0ac7e', outfit: 'shirt', color: '#457b9d', hair: 'bald', hairColor: '#adb5bd', glasses: true, arms: ['point', 'down'], expression: 'open' },
  hero(s.mei, { center: [490, 660], width: 220, yaw: -20 }, { arms: ['down', 'down'], expression: 'grin' }),
];
s.mei.frames[3].figs = [hero(s.mei, { center: [360, 680], width: 300, roll: -4 }, { arms: ['down', 'down'], expression: 'grin' })];

// ------------------------------------------------------------------------------------------ output

/** The default poster layout: a header, a 2×2 grid of frames, a footer with caption, label and code. */
export function defaultPoster(frameCount: number, accent: string): PosterLayout {
  const pw = 1080;
  const margin = 56;
  const gap = 32;
  const fw = (pw - 2 * margin - gap) / 2; // 468
  const fh = Math.round((fw * 16) / 9); // 832
  const top = 300;
  const n = Math.min(frameCount, 4);
  const rows = Math.ceil(n / 2);
  const frames = Array.from({ length: n }, (_, i) => ({
    frame: i,
    x: margin + (i % 2) * (fw + gap),
    y: top + Math.floor(i / 2) * (fh + gap),
    w: fw,
    h: fh,
    rotate: [-1.2, 1, 0.8, -1][i % 4],
  }));
  const footY = top + rows * fh + (rows - 1) * gap + 48;
  return {
    width: pw,
    height: footY + 300,
    background: '#fff8e7',
    accent,
    title: { x: margin, y: 48, w: pw - 2 * margin - 220, h: 210 },
    frames,
    caption: { x: margin, y: footY, w: 700, h: 150 },
    aiLabel: { x: pw - margin - 190, y: 64, w: 190, h: 64 },
    code: { x: pw - margin - 220, y: footY, w: 220, h: 220 },
    codeHint: { x: margin, y: footY + 170, w: 700, h: 56 },
  };
}

function captionBox(text: string, at: 'top' | 'bottom') {
  const box = { x: 40, y: 0, w: 640, h: 100 };
  box.h = Math.ceil(layoutCaption(text, box).need + 8);
  box.y = at === 'top' ? 40 : H - 40 - box.h - 8;
  return box;
}

export function buildStory(def: StoryDef, campaignStory: { title: string; char: string; year: string; blurb: string }, accent: string) {
  const frames: Story['frames'] = [];
  const svgs: string[] = [];
  def.frames.forEach((f, i) => {
    const figs = f.figs.map((fig) => ({ ...fig, pose: pose(fig.pose), skin: fig.skin ?? def.style.skinTone ?? SKIN }));
    const body = f.bg + figs.map((fig) => K.character(fig as K.CharacterSpec, H)).join('\n') + (f.fg ?? '');
    svgs.push(K.panel(W, H, body, `${def.id} frame ${i + 1}`));
    const slots: Slot[] = figs.map((fig) => ({
      id: fig.id,
      role: fig.role,
      pose: fig.pose as SlotPose,
      style: { smoothing: 0.6, toneBands: 4, ink: 0.7, featureInk: 0, halftone: 1, inkColor: INK, saturation: 1, ...def.style, ...fig.style, skinTone: fig.skin },
      bodySkin: K.bodySkin(fig as K.CharacterSpec, W),
    }));
    const bubbles: Bubble[] = (f.bubbles ?? []).map(({ to, ...b }) => {
      const speaker = figs.find((g) => g.id === to);
      const box = { x: b.x, y: b.y, w: b.w };
      const tail = b.tail !== undefined ? b.tail : speaker ? tailPoint(speaker.pose, [box.x + box.w / 2, box.y + 40]) : null;
      return { kind: 'speech', size: 38, ...b, tail } as Bubble;
    });
    frames.push({ art: `frame-${i + 1}.svg`, width: W, height: H, caption: f.caption, captionBox: captionBox(f.caption, f.captionAt), bubbles, slots });
  });
  const story: Story = {
    id: def.id,
    title: campaignStory.title,
    character: campaignStory.char,
    year: campaignStory.year,
    blurb: campaignStory.blurb,
    frames,
    poster: defaultPoster(frames.length, accent),
    cover: { frame: def.cover },
  };
  return { story, svgs };
}

function main() {
  const campaign = JSON.parse(fs.readFileSync(path.join(ROOT, 'campaign.json'), 'utf8'));
  const only = process.argv.slice(2);
  const accents = ['#e63946', '#fb8500', '#ff006e', '#6a4c93', '#1d3557', '#0096c7', '#2a9d8f', '#e76f51'];
  campaign.stories.forEach((cs: { id: string; title: string; char: string; year: string; blurb: string }, i: number) => {
    if (only.length && !only.includes(cs.id)) return;
    const def = s[cs.id];
    if (!def) throw new Error(`no drawing for story ${cs.id}`);
    const { story, svgs } = buildStory(def, cs, accents[i % accents.length]);
    const dir = path.join(ROOT, 'stories', cs.id);
    fs.mkdirSync(dir, { recursive: true });
    svgs.forEach((svg, k) => fs.writeFileSync(path.join(dir, `frame-${k + 1}.svg`), svg));
    fs.writeFileSync(path.join(dir, 'story.json'), JSON.stringify(story, null, 2) + '\n');
    console.log(`${cs.id}: ${svgs.length} frames`);
  });
}

if (require.main === module) main();
