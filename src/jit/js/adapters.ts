// The adapters between the interpreter and JS-compiled code, one pair per
// signature shape (kinds of the parameters and the result): factory sources for
// `new Function('env', source)`, like the functions lower.ts makes.
//
//   i2c(calleeFp, dstAddr, f, callerFp, resumePc[, args])  (args: always 0 here; runtime.ts argListAt)
//                               the interpreter's entry into compiled code
//                               (rt.entries[f]): writes the callee's header
//                               (frames.ts, pushCompiledFrame), loads the arguments
//                               from its frame slots, calls table[f] and stores the
//                               result at byte address dstAddr.
//   c2i(fp, args...) -> result  compiled code's way into an interpreted callee
//                               (its table slot): stores the arguments into the
//                               frame slots, writes the header's RETURN_AT =
//                               TO_HOST ("return to the host", i.e. back here),
//                               lowers the host-stack limit, runs the
//                               interpreter's loop on that frame (env.adapterEntry:
//                               runtime.ts, AdapterEntry, as the wasm c2i
//                               adapters do), gives the limit back, publishes
//                               the caller's frame again and returns the
//                               result it left in the scratch slot.
//
// What must stay true: one fixed arity per adapter (no rest or spread), so a
// crossing allocates nothing; views are read after the call they straddle
// (memory may have grown during it).

import { Kind } from '../../bytecode/opcodes.js';
import type { ValKind } from '../../bytecode/module.js';
import { Hdr, TO_HOST, headerAt } from '../../runtime/frames.js';
import { SCRATCH_SLOT, HOST_LIMIT_WORD, TOP_FP_WORD, ADAPTER_PC, ADAPTER_DONE } from '../../runtime/runtime.js';
import { shapeKey, type Shape } from '../backend.js';

function ident(s: Shape): string { return shapeKey(s).replace('>', '_'); }

/** Slot expression of parameter i (kind k) of the frame at fp (fpi = fp << 1). */
function slot(k: ValKind, i: number): string {
  return k === Kind.F ? `F64[fp + ${i}]` : `I32[fpi + ${2 * i}]`;
}

const usesF64 = (s: Shape) => s.params.includes(Kind.F);

export function i2cSource(s: Shape): string {
  const args = ['fp', ...s.params.map((k, i) => slot(k, i))].join(', ');
  const call = `table[f](${args})`;
  const store = s.ret === null ? `${call};`
    : s.ret === Kind.F ? `const r = ${call};\n  mem.f64[dst >> 3] = r;`
    : `const r = ${call};\n  mem.i32[dst >> 2] = r;`;
  return [
    '"use strict";',
    'const mem = env.mem, table = env.table;',
    `return function i2c_${ident(s)}(fp, dst, f, callerFp, resumePc) {`,
    `  const fpi = fp << 1, I32 = mem.i32${usesF64(s) ? ', F64 = mem.f64' : ''};`,
    `  I32[fpi + ${headerAt(0) + Hdr.FN}] = f; I32[fpi + ${headerAt(0) + Hdr.CALLER_FP}] = callerFp; I32[fpi + ${headerAt(0) + Hdr.RESUME_PC}] = resumePc;`,
    `  ${store}`,
    '};',
  ].join('\n');
}

/** crossingSlots: how far a crossing lowers the host-stack limit (rt.crossingSlots). */
export function c2iSource(s: Shape, crossingSlots: number): string {
  const params = ['fp', ...s.params.map((_, i) => `a${i}`)].join(', ');
  return [
    '"use strict";',
    'const mem = env.mem, enter = env.adapterEntry.enter, resume = env.adapterEntry.resume;',
    `return function c2i_${ident(s)}(${params}) {`,
    `  const fpi = fp << 1, I32 = mem.i32${usesF64(s) ? ', F64 = mem.f64' : ''};`,
    `  I32[fpi + ${headerAt(0) + Hdr.RETURN_AT}] = ${TO_HOST};`,
    ...s.params.map((k, i) => `  ${slot(k, i)} = a${i};`),
    `  const limit = I32[${HOST_LIMIT_WORD}];`,
    `  I32[${HOST_LIMIT_WORD}] = limit - ${crossingSlots};`,
    `  const pos = enter(fp, ${ADAPTER_PC});`,
    `  if (pos !== ${ADAPTER_DONE}) resume(pos);`,
    '  const J = mem.i32;',
    `  J[${HOST_LIMIT_WORD}] = limit;`,
    `  J[${TOP_FP_WORD}] = J[fpi + ${headerAt(0) + Hdr.CALLER_FP}];`,
    ...(s.ret === null ? [] : [`  return mem.${s.ret === Kind.F ? `f64[${SCRATCH_SLOT}]` : `i32[${SCRATCH_SLOT << 1}]`};`]),
    '};',
  ].join('\n');
}
