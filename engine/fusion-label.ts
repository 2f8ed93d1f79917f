/**
 * Implicit AI-generated label for every fused image, written into the file's metadata (China's
 * labelling measures for AI-generated content / GB 45438-2025 ask for an implicit label in the
 * file metadata besides the visible 「AI合成」 mark).
 *
 * Two carriers, because apps strip different things: an XMP packet with an `AIGC` property (JSON:
 * Label, ContentProducer, ProduceID, …) and EXIF ImageDescription/Software. `readAiLabel` reads
 * either back (tests, the eval script, the backend's checks).
 *
 * NOTE for the lead: engine/ai-label.ts (templates/posters) may supersede this helper; the fusion
 * engine only needs `aiLabelXmp()` / `isAiLabelled()`.
 */
export interface AiLabel {
  Label: '1';
  ContentProducer: string;
  ProduceID: string;
  ReservedCode1?: string;
}

export const AI_PRODUCER = 'my-shenzhen-story';

export function makeAiLabel(produceId: string): AiLabel {
  return { Label: '1', ContentProducer: AI_PRODUCER, ProduceID: produceId };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function aiLabelXmp(label: AiLabel): string {
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"' +
    ` TC260:AIGC="${esc(JSON.stringify(label))}">` +
    '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">AI合成 (AI-generated)</rdf:li></rdf:Alt></dc:description>' +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

export function aiLabelExif(label: AiLabel): { IFD0: Record<string, string> } {
  return { IFD0: { ImageDescription: `AIGC ${JSON.stringify(label)}`, Software: `${AI_PRODUCER} face fusion` } };
}

/** Parse the label from raw file bytes (looks for the XMP property or the EXIF text). */
export function readAiLabel(file: Uint8Array): AiLabel | null {
  const text = Buffer.from(file.buffer, file.byteOffset, Math.min(file.length, 256 * 1024)).toString('latin1');
  const x = /AIGC="([^"]+)"/.exec(text);
  const raw = x ? x[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : /AIGC (\{[^}]*\})/.exec(text)?.[1];
  if (!raw) return null;
  try {
    const v = JSON.parse(raw);
    return v && v.Label === '1' ? (v as AiLabel) : null;
  } catch {
    return null;
  }
}
