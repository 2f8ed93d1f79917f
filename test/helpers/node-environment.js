/**
 * Jest's node environment with the process's own typed-array constructors. Jest gives each test
 * file fresh globals, so a Float32Array made in a test fails onnxruntime-node's `instanceof`
 * check ("A float32 tensor's data must be type of function Float32Array()", onnxruntime#16622).
 */
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArrayEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArrayEnvironment;
