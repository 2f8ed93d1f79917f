/**
 * The AI-content labels every result carries (China's AI-generated content labelling rules):
 * - visible: the text 「AI合成」 drawn on the image (posters draw it where the layout says);
 * - implicit: a machine-readable label in the file's metadata, written here.
 *
 * The implicit label follows the shape of the national labelling standard's metadata field
 * (an `AIGC` JSON object: Label, ContentProducer, ProduceID, …), stored twice:
 * EXIF IFD0 ImageDescription (ASCII JSON) and XMP (the same JSON plus a readable dc:description).
 *
 * Reuse for any output image: `await withAiLabel(sharp(buf).jpeg(), { produceId }).toBuffer()`.
 */
import sharp, { type Sharp } from 'sharp';

export const AI_LABEL_TEXT = 'AI合成';
export const AI_LABEL_PRODUCER = 'my-shenzhen-story';

export interface AiLabelInfo {
  /** Who generated the content (service name); default my-shenzhen-story. */
  producer?: string;
  /** An id of this output (job id / poster id); no personal data. */
  produceId?: string;
  /** The visible label text; default AI合成. */
  label?: string;
}

export interface AigcField {
  Label: '1';
  ContentProducer: string;
  ProduceID: string;
  ReservedCode1: string;
  ContentPropagator: string;
  PropagateID: string;
  ReservedCode2: string;
}

export function aigcField(info: AiLabelInfo = {}): { AIGC: AigcField } {
  return {
    AIGC: {
      Label: '1',
      ContentProducer: (info.producer ?? AI_LABEL_PRODUCER).replace(/[^\x20-\x7e]/g, ''),
      ProduceID: (info.produceId ?? '').replace(/[^\x20-\x7e]/g, ''),
      ReservedCode1: 'face-fusion',
      ContentPropagator: '',
      PropagateID: '',
      ReservedCode2: '',
    },
  };
}

const xmlEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function aiLabelXmp(info: AiLabelInfo = {}): string {
  const json = JSON.stringify(aigcField(info));
  const label = info.label ?? AI_LABEL_TEXT;
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:aigc="https://my-shenzhen-story.example/ns/aigc/1.0/" aigc:AIGC="${xmlEsc(json)}">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xmlEsc(label)}: AI-generated image (face fusion)</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`;
}

/** Adds the implicit label (EXIF + XMP) to a sharp pipeline's output (JPEG, PNG or WebP). */
export function withAiLabel(img: Sharp, info: AiLabelInfo = {}): Sharp {
  return img
    .withExif({ IFD0: { ImageDescription: JSON.stringify(aigcField(info)), Software: info.producer ?? AI_LABEL_PRODUCER } })
    .withXmp(aiLabelXmp(info));
}

/** Reads the implicit label back (null when absent). */
export async function readAiLabel(image: Buffer): Promise<AigcField | null> {
  const meta = await sharp(image).metadata();
  const sources = [meta.xmp ? meta.xmp.toString('utf8').replace(/&quot;/g, '"') : '', meta.exif ? meta.exif.toString('latin1') : ''];
  for (const text of sources) {
    const m = /\{"AIGC":\{[^{}]*\}\}/.exec(text);
    if (m) {
      try {
        return (JSON.parse(m[0]) as { AIGC: AigcField }).AIGC;
      } catch {
        /* try the next source */
      }
    }
  }
  return null;
}
