/**
 * npm run templates:check — validates templates/campaign.json and every story manifest.
 * Prints every problem with its file and field; exits 1 if there is any, else prints one OK line.
 */
import path from 'node:path';
import { validateTemplates, formatProblem } from '../templates/validate';
import { loadCampaign, loadStory } from '../templates/render';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'templates'));
const problems = validateTemplates(root);
if (problems.length) {
  for (const p of problems) console.error(formatProblem(p));
  console.error(`templates:check — ${problems.length} problem${problems.length > 1 ? 's' : ''}`);
  process.exit(1);
}
const campaign = loadCampaign(root);
let frames = 0;
let slots = 0;
for (const s of campaign.stories) {
  const story = loadStory(s.id, root);
  frames += story.frames.length;
  slots += story.frames.reduce((a, f) => a + f.slots.length, 0);
}
console.log(`templates:check OK — ${campaign.stories.length} stories, ${frames} frames, ${slots} face slots`);
