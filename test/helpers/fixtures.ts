import sharp from 'sharp';

/** CI's face photographs: the six group photos of @vladmandic/face-api (MIT). */
export const fixturePath = (n: 1 | 2 | 3 | 4 | 5 | 6) => require.resolve(`@vladmandic/face-api/demo/sample${n}.jpg`);

/** A selfie-like crop of one sharp, frontal face (sample6, second from the left). */
export async function selfieJpeg(): Promise<Buffer> {
  return sharp(fixturePath(6)).extract({ left: 476, top: 150, width: 600, height: 720 }).jpeg({ quality: 90 }).toBuffer();
}

/** Another person's face, for identity comparisons (sample1, the face on the right). */
export async function otherSelfieJpeg(): Promise<Buffer> {
  return sharp(fixturePath(1)).extract({ left: 1272, top: 30, width: 600, height: 700 }).jpeg({ quality: 90 }).toBuffer();
}

/** Three faces of equal size: MULTIPLE_FACES. */
export async function groupJpeg(): Promise<Buffer> {
  return sharp(fixturePath(1)).resize({ width: 1280 }).jpeg({ quality: 88 }).toBuffer();
}
