// Writes test/vectors/bucketing.json. Run once per NEW hash version; released vectors never change.
// From the repository root:
//   npx esbuild --bundle packages/core/test/generate-bucketing-vectors.ts --platform=node \
//     --format=esm --log-level=warning | node --input-type=module
import { writeFileSync } from 'node:fs';
import { bucketOf, murmur3 } from '../src/bucketing/index.js';

const unitIds = [
  '',
  'a',
  'ab',
  'abc',
  'abcd',
  'abcde',
  'user-0',
  'user-1',
  'user-42',
  'user-9999',
  'user-123456789',
  '0',
  '1',
  '42',
  '007',
  '-1',
  '3.14',
  '1e3',
  '12345678901234567890',
  '4294967295',
  '4294967296',
  'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  '00000000-0000-0000-0000-000000000000',
  'alice@example.com',
  'Bob.Smith+tag@example.co.uk',
  'tenant:acme/session:5e1b',
  ' ',
  'with space',
  'tab\there',
  'line\nbreak',
  'é',
  'café',
  'ñandú',
  'Ω≈ç√∫',
  '日本',
  '日本語のユーザー',
  '사용자',
  'مستخدم',
  '😀',
  'user-😀-1',
  '👩‍👩‍👧‍👦',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\ud800',
  'a\udc00b',
  'x\ud83d',
  '\u0000',
  '\u007f\u0080\u07ff\u0800\uffff',
  'x'.repeat(64),
  'user-'.repeat(40),
  'é'.repeat(101),
  '日本'.repeat(77),
  '😀a'.repeat(50),
  Array.from({ length: 1000 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 94))).join(''),
];

const salts = [
  'launch-checkout-v2',
  '',
  'salt',
  'f2a9c3e0-launch-17',
  'ünïcödé-sält',
  '日本-launch',
  '🚀',
  'a-much-longer-salt-that-spans-several-murmur3-blocks-0123456789',
];

const vectors = [];
for (let i = 0; i < unitIds.length; i++) {
  // Every id under four salts, rotating, so each salt meets many ids: 53 × 4 = 212 vectors.
  for (let j = 0; j < 4; j++) {
    const unitId = unitIds[i] as string;
    const salt = salts[(i + j * 3) % salts.length] as string;
    vectors.push({
      unitId,
      salt,
      version: 1,
      bucket: bucketOf(unitId, salt, 1),
      murmur3: murmur3(unitId, murmur3(salt, 0)),
    });
  }
}

const document = {
  description:
    'Golden vectors for Threshold bucketing hash version 1: seed = murmur3_x86_32(UTF-8(salt), 0); ' +
    'murmur3 = murmur3_x86_32(UTF-8(unitId), seed) (unsigned); bucket = floor(murmur3 * 10000 / 2^32). ' +
    'Lone surrogates are encoded as U+FFFD (EF BF BD), like WHATWG TextEncoder. ' +
    'A released hash version never changes: these vectors are frozen; a new version gets new vectors.',
  hashVersion: 1,
  bucketCount: 10000,
  vectors,
};

const target = process.argv[2] ?? 'packages/core/test/vectors/bucketing.json';
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors to ${target}`);
