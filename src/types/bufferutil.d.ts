// bufferutil (the native helper `ws` uses) ships no types; these are the two functions it exports.
declare module 'bufferutil' {
  /** XORs `source` with the 4-byte `mask` into `output` at `offset`, `length` bytes. */
  export function mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  /** XORs `buffer` in place with the 4-byte `mask`. */
  export function unmask(buffer: Buffer, mask: Buffer): void;
}
