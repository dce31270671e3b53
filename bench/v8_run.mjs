// Runs one benchmark kernel under node's V8: instantiates the .wasm with no imports, calls `run`
// once and prints the checksum as phat does (`i32:N`, unsigned). bench/run.mjs times this whole
// process, like every other engine; V8 flags (e.g. --liftoff-only) go to node itself.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node [v8 flags] bench/v8_run.mjs KERNEL.wasm');
  process.exit(2);
}
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
console.log(`i32:${instance.exports.run() >>> 0}`);
