/**
 * Registers the gradients of tfjs-core's ops.
 *
 * tfjs-core registers no gradients by itself; its `register_all_gradients`
 * module ships only as extension-less ESM files that Deno (like Node) cannot
 * load. The Node bundle of tfjs-layers carries a compiled copy of the same
 * gradient table and registers it, in tfjs' process-wide registry, when it is
 * imported. Import this module (for its side effect) before computing any
 * gradient. Our own gradient overrides (lib/model/kernels/gather_grad.ts) are
 * applied later, when a backend is initialised, so they win.
 *
 * @module
 */

import "@tensorflow/tfjs-layers";
