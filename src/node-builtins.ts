/**
 * Node modules a start does not load. node:net, node:zlib and node:crypto bring Node's stream
 * implementation with them, ~15-20 ms of a cold start in the executable (docs/decisions.md,
 * "A start checks the sealing key once per change"); what needs them synchronously (an address
 * check, a drawn signature's PNG, a stored secret's cipher) gets them here on first use. HMACs
 * use Bun's own hasher and comparisons Bun's `crypto.timingSafeEqual`, which need neither.
 */
export const nodeNet = () => process.getBuiltinModule("node:net");
export const nodeCrypto = () => process.getBuiltinModule("node:crypto");
export const nodeZlib = () => process.getBuiltinModule("node:zlib");
