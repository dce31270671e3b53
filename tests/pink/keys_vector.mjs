// Computes the derive_sr25519_key vectors in keys_test.cc without phat: Phala's derivation
// (keys.h) with node's own HKDF-SHA256 (OpenSSL) and polkadot-js's sr25519 (schnorrkel compiled
// to wasm). Run by hand from the repository (node tests/pink/keys_vector.mjs, after npm ci) and
// paste what it prints into the test when the vectors need to change.
import { hkdfSync } from 'node:crypto';

import { cryptoWaitReady, sr25519PairFromSeed } from '@polkadot/util-crypto';

await cryptoWaitReady();

const hex = (bytes) => Buffer.from(bytes).toString('hex');

// polkadot-js gives schnorrkel's to_ed25519_bytes (the scalar times the cofactor 8); Phala's
// secret keys are to_bytes, the scalar itself. The product is a plain shift, so divide back.
function schnorrkelSecret(ed25519Form) {
  let scalar = 0n;
  for (let i = 31; i >= 0; i--) scalar = (scalar << 8n) | BigInt(ed25519Form[i]);
  scalar >>= 3n;
  const out = Buffer.alloc(64);
  for (let i = 0; i < 32; i++, scalar >>= 8n) out[i] = Number(scalar & 0xffn);
  Buffer.from(ed25519Form.subarray(32)).copy(out, 32);
  return out;
}

const kdfSalt = Buffer.from('18e876adfa74cc743b4b7d7f92c96e03de559a3c15270581fce445963d90f85e', 'hex');
const clusterSeed = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const clusterPair = sr25519PairFromSeed(clusterSeed);
const cluster = schnorrkelSecret(clusterPair.secretKey);
const contract = Buffer.alloc(32, 0xab);

console.log(`cluster seed ${hex(clusterSeed)}`);
console.log(`cluster secret key ${hex(cluster)}`);
console.log(`cluster public key ${hex(clusterPair.publicKey)}`);
for (const salt of ['', 'salt', 'x'.repeat(100)]) {
  const info = Buffer.concat([contract, Buffer.from(salt), Buffer.from('keygen')]);
  const seed = Buffer.from(hkdfSync('sha256', cluster, kdfSalt, info, 32));
  const pair = sr25519PairFromSeed(seed);
  console.log(`contract ${hex(contract)} salt "${salt}"`);
  console.log(`  secret key ${hex(schnorrkelSecret(pair.secretKey))}`);
  console.log(`  public key ${hex(pair.publicKey)}`);
}
