/**
 * Loading the campaign and stories, and rendering a frame's SVG (art + caption + bubbles) to PNG
 * with resvg and the npm TTF fonts. Used by templates:build, templates:sheet and the tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Resvg, renderAsync } from '@resvg/resvg-js';
import { resvgFontOptions, FONT_FILES } from '../engine/output/fonts';
import { composeFrameSvg } from './overlay';
import { CampaignSchema, StorySchema, type Campaign, type Frame, type Story } from '../engine/pipeline/story-schema';

export const TEMPLATES_DIR = path.resolve(__dirname);

export function storyDir(id: string, root = TEMPLATES_DIR): string {
  return path.join(root, 'stories', id);
}

/** rendered/frame-<n>.png, n = frame index + 1 (the fusion engine reads these). */
export function renderedFramePath(id: string, index: number, root = TEMPLATES_DIR): string {
  return path.join(storyDir(id, root), 'rendered', `frame-${index + 1}.png`);
}

export function loadCampaign(root = TEMPLATES_DIR): Campaign {
  return CampaignSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'campaign.json'), 'utf8')));
}

export function loadStory(id: string, root = TEMPLATES_DIR): Story {
  return StorySchema.parse(JSON.parse(fs.readFileSync(path.join(storyDir(id, root), 'story.json'), 'utf8')));
}

/** The full SVG of a frame as rendered: art file plus the manifest's caption and bubbles. */
export function frameSvg(id: string, frame: Frame, root = TEMPLATES_DIR): string {
  const art = fs.readFileSync(path.join(storyDir(id, root), frame.art), 'utf8');
  return composeFrameSvg(art, frame);
}

const RENDER_VERSION = 'r1';
/** A hash of everything that decides the PNG: the SVG text, the fonts and the renderer version. */
export function renderKey(svg: string): string {
  return crypto
    .createHash('sha1')
    .update(RENDER_VERSION)
    .update(JSON.stringify(FONT_FILES))
    .update(svg)
    .digest('hex');
}

function options(width: number) {
  return { font: resvgFontOptions(), fitTo: { mode: 'width' as const, value: width }, shapeRendering: 2 as const, textRendering: 1 as const };
}

export function renderSvgSync(svg: string, width: number): Buffer {
  return new Resvg(svg, options(width)).render().asPng();
}

export async function renderSvg(svg: string, width: number): Promise<Buffer> {
  return (await renderAsync(svg, options(width))).asPng();
}
