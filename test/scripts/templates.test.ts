/**
 * The campaign's templates: manifests valid, the validator catches each kind of problem (on broken
 * copies), and Chinese captions render as glyphs where the caption box is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { validateTemplates, formatProblem, type Problem } from '../../templates/validate';
import { loadCampaign, loadStory, frameSvg, renderSvgSync, TEMPLATES_DIR } from '../../templates/render';
import { composeFrameSvg } from '../../templates/overlay';

jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../..');

function copyTemplates(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpl-'));
  fs.cpSync(TEMPLATES_DIR, path.join(dir, 'templates'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}rendered`) && !src.endsWith('.ts'),
  });
  return path.join(dir, 'templates');
}

function edit(root: string, id: string, fn: (story: any) => void) {
  const file = path.join(root, 'stories', id, 'story.json');
  const story = JSON.parse(fs.readFileSync(file, 'utf8'));
  fn(story);
  fs.writeFileSync(file, JSON.stringify(story));
}

function expectProblem(problems: Problem[], file: string, field: string | RegExp, message: RegExp) {
  const hit = problems.find((p) => p.file === file && (typeof field === 'string' ? p.field === field : field.test(p.field)) && message.test(p.message));
  if (!hit) throw new Error(`expected ${file}: ${field} ~ ${message}, got:\n${problems.map(formatProblem).join('\n')}`);
}

describe('campaign manifests', () => {
  test('the committed templates are valid', () => {
    expect(validateTemplates(TEMPLATES_DIR).map(formatProblem)).toEqual([]);
  });

  test('eight stories, ≥4 captioned frames each, varied poses, big hero faces, a frame with an extra', () => {
    const campaign = loadCampaign();
    expect(campaign.stories.map((s) => s.id)).toEqual(['chuang', 'kuai', 'chao', 'chuangxin', 'pin', 'xin', 'rong', 'mei']);
    const heroes: number[] = [];
    const yaws = new Set<number>();
    let extras = 0;
    let tilted = 0;
    for (const cs of campaign.stories) {
      const story = loadStory(cs.id);
      expect(story.frames.length).toBeGreaterThanOrEqual(4);
      expect(story.title).toBe(cs.title);
      for (const f of story.frames) {
        expect(f.caption).toMatch(/[\u4e00-\u9fff]/);
        expect(fs.existsSync(path.join(TEMPLATES_DIR, 'stories', cs.id, f.art))).toBe(true);
        for (const s of f.slots) {
          if (s.role === 'hero') heroes.push(s.pose.width);
          else extras++;
          yaws.add(Math.sign(s.pose.yaw));
          if (s.pose.roll !== 0) tilted++;
          expect(Math.abs(s.pose.yaw)).toBeLessThanOrEqual(25);
        }
      }
    }
    expect(extras).toBeGreaterThan(0);
    expect(yaws).toEqual(new Set([-1, 0, 1]));
    expect(tilted).toBeGreaterThan(5);
    expect(heroes.filter((w) => w >= 200).length / heroes.length).toBeGreaterThan(0.8);
    expect(Math.min(...heroes)).toBeGreaterThanOrEqual(180);
  });
});

describe('validator catches broken copies', () => {
  let root: string;
  let problems: Problem[];
  const K = 'templates/stories/kuai/story.json';
  const C = 'templates/stories/chao/story.json';
  beforeAll(() => {
    root = copyTemplates();
    edit(root, 'kuai', (s) => {
      s.frames[0].slots[0].pose.center = [700, 120]; // oval outside the frame
      s.frames[1].slots[1].pose.width = 80; // hero face too small
      s.frames[1].slots[0].style.glow = 0.5; // unknown style key
      s.frames[2].art = 'missing.svg'; // missing art
      s.frames[3].caption = ''; // missing caption
    });
    edit(root, 'chao', (s) => {
      s.frames = s.frames.slice(0, 3); // too few frames
      s.frames[0].slots = Array.from({ length: 7 }, (_, i) => ({ ...s.frames[0].slots[0], id: `h${i}` })); // > 6 slots
      s.frames[1].slots.push({ ...s.frames[1].slots[0] }); // duplicate slot id
      s.frames[2].caption = '这是一段非常非常长的说明文字，它不可能放进这个小小的说明框里面吧'; // does not fit
    });
    const campaign = JSON.parse(fs.readFileSync(path.join(root, 'campaign.json'), 'utf8'));
    campaign.stories[7].id = 'rong'; // duplicate story id
    fs.writeFileSync(path.join(root, 'campaign.json'), JSON.stringify(campaign));
    problems = validateTemplates(root);
  });
  afterAll(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  test('slot outside the frame', () => expectProblem(problems, K, 'frames[0].slots[0].pose.center', /outside the 720×1280 frame/));
  test('face slot below the minimum width', () => expectProblem(problems, K, 'frames[1].slots[1].pose.width', /hero face slot is 80 px wide, minimum 160/));
  test('unknown style key', () => expectProblem(problems, K, 'frames[1].slots[0].style', /unknown key "glow"/));
  test('missing art file', () => expectProblem(problems, K, 'frames[2].art', /missing\.svg is missing/));
  test('missing caption', () => expectProblem(problems, K, 'frames[3].caption', /caption is required/));
  test('too few frames', () => expectProblem(problems, C, 'frames', /at least 4 frames/));
  test('more than six slots', () => expectProblem(problems, C, 'frames[0].slots', /more than 6 face slots/));
  test('duplicate slot id', () => expectProblem(problems, C, /^frames\[1\]\.slots\[\d\]\.id$/, /duplicate slot id/));
  test('caption too long for its box', () => expectProblem(problems, C, 'frames[2].caption', /needs \d+ px/));
  test('poster refers to a frame that no longer exists', () => expectProblem(problems, C, 'poster.frames[3].frame', /does not exist/));
  test('duplicate story id', () => expectProblem(problems, 'templates/campaign.json', 'stories[7].id', /duplicate story id "rong"/));
  test('every problem names its file and field', () => {
    for (const p of problems) expect(p.file).toMatch(/^templates\//);
    expect(problems.filter((p) => !p.field)).toEqual([]);
  });

  test('broken JSON and a missing manifest are reported, not thrown', () => {
    const r2 = copyTemplates();
    fs.writeFileSync(path.join(r2, 'stories', 'mei', 'story.json'), '{ "id": "mei", ');
    fs.rmSync(path.join(r2, 'stories', 'pin', 'story.json'));
    const ps = validateTemplates(r2);
    expectProblem(ps, 'templates/stories/mei/story.json', '', /not valid JSON/);
    expectProblem(ps, 'templates/stories/pin/story.json', '', /file is missing/);
    fs.rmSync(path.dirname(r2), { recursive: true, force: true });
  });

  test('templates:check exits non-zero and prints the problems; zero with one OK line on the real templates', () => {
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/templates-check.ts'), root], { encoding: 'utf8', cwd: ROOT });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('templates/stories/kuai/story.json: frames[1].slots[1].pose.width');
    const good = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/templates-check.ts')], { encoding: 'utf8', cwd: ROOT });
    expect(good.status).toBe(0);
    expect(good.stdout.trim().split('\n')).toHaveLength(1);
    expect(good.stdout).toMatch(/^templates:check OK/);
  });
});

describe('Chinese text renders from the npm TTF fonts', () => {
  /** Share of dark pixels (luma < 100) in a rectangle of a rendered frame. */
  async function darkRatio(png: Buffer, r: { x: number; y: number; w: number; h: number }): Promise<number> {
    const { data, info } = await sharp(png).extract({ left: r.x, top: r.y, width: r.w, height: r.h }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let dark = 0;
    for (let i = 0; i < data.length; i += info.channels) if (0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] < 100) dark++;
    return dark / (info.width * info.height);
  }

  test('caption glyphs are drawn inside the caption box (and differ per text)', async () => {
    const story = loadStory('chuang');
    const frame = story.frames[0];
    const box = frame.captionBox;
    const inner = { x: box.x + 14, y: box.y + 10, w: box.w - 28, h: box.h - 20 };
    const art = fs.readFileSync(path.join(TEMPLATES_DIR, 'stories', 'chuang', frame.art), 'utf8');
    const withText = renderSvgSync(frameSvg('chuang', frame), frame.width);
    const blank = renderSvgSync(composeFrameSvg(art, { ...frame, caption: '　' }), frame.width);
    const other = renderSvgSync(composeFrameSvg(art, { ...frame, caption: '深圳湾的白鹭飞过红树林，夕阳照在海面上。' }), frame.width);
    const ratio = await darkRatio(withText, inner);
    expect(await darkRatio(blank, inner)).toBeLessThan(0.005);
    expect(ratio).toBeGreaterThan(0.05);
    expect(ratio).toBeLessThan(0.6);
    // different characters give different glyph pixels (not one repeated fallback box)
    const a = await sharp(withText).extract({ left: inner.x, top: inner.y, width: inner.w, height: inner.h }).raw().toBuffer();
    const b = await sharp(other).extract({ left: inner.x, top: inner.y, width: inner.w, height: inner.h }).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i] - b[i]) > 80) diff++;
    expect(diff / (a.length / 4)).toBeGreaterThan(0.05);
  });

  test('speech bubble text renders in the comic font', async () => {
    const story = loadStory('chuang');
    const frame = story.frames[0];
    const art = fs.readFileSync(path.join(TEMPLATES_DIR, 'stories', 'chuang', frame.art), 'utf8');
    const b = frame.bubbles[0];
    const r = { x: Math.round(b.x + 30), y: Math.round(b.y + 16), w: Math.round(b.w - 60), h: 40 };
    const withText = renderSvgSync(composeFrameSvg(art, { ...frame, caption: '' }), frame.width);
    const without = renderSvgSync(composeFrameSvg(art, { ...frame, caption: '', bubbles: [{ ...b, text: '　' }] }), frame.width);
    expect(await darkRatio(withText, r)).toBeGreaterThan(0.05);
    expect(await darkRatio(without, r)).toBeLessThan(0.005);
  });
});
