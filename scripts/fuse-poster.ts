/**
 * The story poster for the fuse CLI. Uses the template engineer's engine/poster.ts when it is
 * there; until then a plain layout: the frames in a 2-column grid on paper colour, the visible
 * 「AI合成」 label (rendered with resvg and the npm TTF font) and the metadata label.
 */
import fs from 'fs';
import path from 'path';
import sharp from 'sharp';
import { withAiLabel, AI_LABEL_TEXT } from '../engine/ai-label';

export async function composeStoryPoster(storyId: string, frames: Buffer[]): Promise<Buffer> {
  const posterModule = path.join(__dirname, '..', 'engine', 'poster.ts');
  if (fs.existsSync(posterModule) && process.env.FUSE_OWN_POSTER !== '1') {
    try {
      const m = await import('../engine/poster');
      const { qrCodePng } = await import('../engine/qr-code');
      const { StorySchema } = await import('../templates/schema');
      const { templatesDir } = await import('../engine/story-frames');
      const story = StorySchema.parse(JSON.parse(fs.readFileSync(path.join(templatesDir(), 'stories', storyId, 'story.json'), 'utf8')));
      // Locally the code is a QR code with the same scene payload the backend would put into wxacode.
      const code = await qrCodePng(`https://127.0.0.1:8787/pages/poster/index?scene=cli-${storyId}`);
      return await m.composePoster({ story: { title: story.title, character: story.character, year: story.year }, frames, code, layout: story.poster, label: { produceId: storyId } });
    } catch (err) {
      process.stderr.write(`fuse: engine/poster.ts failed, using the plain layout (${(err as Error).message})\n`);
    }
  }
  const cols = 2, tw = 360, th = 640, gap = 16, top = 24;
  const rows = Math.ceil(frames.length / cols);
  const W = cols * tw + (cols + 1) * gap, H = top + rows * (th + gap) + 64;
  const tiles = await Promise.all(frames.map((f) => sharp(f).resize(tw, th).toBuffer()));
  const composites: sharp.OverlayOptions[] = tiles.map((input, i) => ({ input, left: gap + (i % cols) * (tw + gap), top: top + Math.floor(i / cols) * (th + gap) }));
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const { resvgFontOptions } = await import('../engine/fonts');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48"><rect width="160" height="48" rx="10" fill="#1b1b1f" fill-opacity="0.75"/><text x="80" y="33" font-size="26" fill="#fff" text-anchor="middle" font-family="Noto Sans SC">${AI_LABEL_TEXT}</text></svg>`;
    const png = new Resvg(svg, { font: resvgFontOptions(['sans']) }).render().asPng();
    composites.push({ input: Buffer.from(png), left: W - 176, top: H - 60 });
  } catch (err) {
    process.stderr.write(`fuse: visible label not drawn (${(err as Error).message})\n`);
  }
  const img = sharp({ create: { width: W, height: H, channels: 3, background: '#fff8e7' } }).composite(composites).jpeg({ quality: 85 });
  return withAiLabel(img, { produceId: storyId }).toBuffer();
}
