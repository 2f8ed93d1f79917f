import { deserializeFaceData, serializeFaceData } from '../../engine/fusion/face-data';

describe('face data serialisation', () => {
  it('round-trips nested objects with Float32Arrays exactly', () => {
    const value = {
      faces: [
        { lab: { c0: Float32Array.from([1.5, -2, 3e-7]), width: 3, height: 1 }, stats: { mean: [1, 2, 3] }, faceIndex: 0 },
        { lab: { c0: new Float32Array(0), width: 0, height: 0 }, stats: { mean: [4, 5, 6] }, faceIndex: 2 },
      ],
      note: 'x',
    };
    const back = deserializeFaceData<typeof value>(serializeFaceData(value));
    expect(back.faces[0].lab.c0).toBeInstanceOf(Float32Array);
    expect([...back.faces[0].lab.c0]).toEqual([...value.faces[0].lab.c0]);
    expect(back.faces[1].lab.c0.length).toBe(0);
    expect(back.faces[1].faceIndex).toBe(2);
    expect(back.note).toBe('x');
  });

  it('handles subarrays at odd offsets and rejects foreign bytes', () => {
    const big = Float32Array.from({ length: 10 }, (_, i) => i);
    const back = deserializeFaceData<{ a: Float32Array }>(serializeFaceData({ a: big.subarray(3, 7), name: 'héllo' }));
    expect([...back.a]).toEqual([3, 4, 5, 6]);
    expect(() => deserializeFaceData(Buffer.from('GIF89a……'))).toThrow(/not face data/);
    expect(() => serializeFaceData({ a: new Uint8Array(2) })).toThrow(/Float32Array/);
  });
});
