// Tier events: the one record of what the tiering policy and a compiling backend
// did — backend chosen, compiler thread started, adapters made, functions queued
// for the compiler thread, compiling there, compiled (tier 1 or tier 2),
// installed or failed, OSR entries, deopts and invalidations of tier-2 code
// (printed by --trace-deopt; --trace-tier prints the rest) — and, when a run
// ends, how often each function was called and how
// often calls crossed between tiers. `--trace-tier` prints them (formatTierEvent
// gives the text, one line each); an embedder or the playground receives the
// objects (VmOptions.onTierEvent). With no listener nothing is made: every
// emitter holds `emit` as null and tests it before building an event.
//
// Crossings, counted only while a listener is on (the counting wrappers are
// installed only then):
//   - interp->compiled: calls through an i2c adapter (rt.entries[f]) from an
//     interpreted frame;
//   - compiled->interp: calls through a c2i adapter (a compiled caller, an
//     interpreted callee); not the frames past the host-stack budget that
//     compiled code hands to the interpreter (runtime.ts, interpretPastHostLimit);
//   - interp->interp: calls the interpreter counts (call counters) less the two
//     above and the host's own entries;
//   - compiled->compiled: the calls compiled code made (generated code counts
//     each in cells[CALLS_WORD], inlined calls included, only when compiled
//     while a listener is on) less compiled->interp. A call whose compiled
//     callee runs interpreted because it is past the host-stack budget counts
//     here.

/** Which backend compiles, or 'none' (interpreter only). */
export type BackendName = 'wasm' | 'js' | 'none';

/** Calls between tiers (see the file comment); null where not counted. */
export interface Crossings {
  interpToInterp: number;
  interpToCompiled: number;
  compiledToInterp: number;
  compiledToCompiled: number;
  /** Entries from the host (run(), call()), into either tier. */
  hostEntries: number;
}

interface At {
  /** Milliseconds since the instance was made. */
  t: number;
}

interface OfFn extends At {
  /** The function's name and index. */
  fn: string;
  f: number;
}

export type TierEvent =
  | At & {
    kind: 'backend'; backend: BackendName;
    /** Why: 'WebAssembly on this host', 'forced', 'no WebAssembly on this host';
     *  for 'none', 'tier interp' or 'no [wasm |js ]backend on this host'. */
    reason: string;
  }
  | At & {
    kind: 'thread';
    /** 'started': compiles go to a compiler thread; 'unavailable': none could be
     *  started (they are synchronous); 'failed': it stopped (the rest are
     *  synchronous). */
    state: 'started' | 'unavailable' | 'failed';
    reason: string;
  }
  /** Queued for the compiler thread (a function, or its OSR entry at osrPc). */
  | OfFn & { kind: 'queued'; osrPc: number | null;
      /** Its tier-2 code (the function runs its tier-1 code meanwhile). */
      tier2: boolean }
  /** The compiler thread began compiling it (t: when, on this instance's clock;
   *  sent with the result, so after events of later t). */
  | OfFn & { kind: 'compiling'; osrPc: number | null; tier2: boolean }
  | At & { kind: 'adapter'; backend: 'wasm' | 'js'; adapter: 'i2c' | 'c2i'; shape: string; i2c: number; c2i: number;
      /** The hand-written generic adapter serves this shape (--adapters=generic). */
      generic: boolean }
  | OfFn & {
    kind: 'compiled'; backend: 'wasm' | 'js';
    /** The loop header of an OSR entry; null for the whole function. */
    osrPc: number | null;
    /** Tier 2: what it speculates on (profile.ts describeSpeculation); null for tier 1. */
    speculation: string | null;
    /** Compile time (on the compiler thread when `thread`). */
    ms: number; thread: boolean; bytecodeWords: number; size: number; unit: string; i2c: number; c2i: number;
    /** The host compiled the code with its baseline compiler, to optimize it
     *  later in the background (the command line, config.ts WASM_HOST.baseline). */
    baseline: boolean;
    /** The generated code as text (WAT, or JavaScript source), with
     *  VmOptions.tierEventCode only. */
    code?: string;
  }
  | OfFn & { kind: 'installed'; backend: 'wasm' | 'js'; slot: number; shape: string }
  | OfFn & { kind: 'osr'; pc: number }
  | OfFn & { kind: 'osr-failed'; pc: number; reason: string; everyHeader: boolean }
  | OfFn & { kind: 'failed'; reason: string }
  /** Tier-2 code left for the interpreter at pc (--trace-deopt); count: deopts
   *  of the function's installed code so far. */
  | OfFn & { kind: 'deopt'; pc: number; reason: string; count: number }
  /** Tier-2 code uninstalled after `deopts` deopts; failedSites are never
   *  speculated on again (--trace-deopt). */
  | OfFn & { kind: 'invalidated'; deopts: number; failedSites: number[] }
  | At & {
    kind: 'counts';
    /** True when run() ended; false for the samples taken after each install
     *  or failure (sent to onTierEvent only, never printed). */
    final: boolean;
    /** Calls and loop back-edges counted per function (by function index; the
     *  counters of tiering: compiled code does not count its own calls). */
    names: string[]; calls: number[]; loops: number[];
    /** Which functions are compiled now (by index). */
    compiled: boolean[];
    crossings: Crossings;
    /** Times OSR code left its loop and was entered again (runtime/osr.ts). */
    osrExits: number;
  };

export type TierEventSink = (e: TierEvent) => void;

/** Events --trace-deopt prints (--trace-tier prints the others). */
export function isDeoptEvent(e: TierEvent): boolean { return e.kind === 'deopt' || e.kind === 'invalidated'; }

/** The --trace-tier line of an event (without the newline); null for the events
 *  it does not print (the default choice of backend: wasm, or none for
 *  --tier=interp). */
export function formatTierEvent(e: TierEvent): string | null {
  switch (e.kind) {
    case 'backend':
      if (e.backend === 'wasm' || e.reason === 'tier interp') return null;
      return e.backend === 'none' ? `[tier] ${e.reason}: every function stays interpreted` : `[tier] backend: ${e.backend} (${e.reason})`;
    case 'thread': return `[tier] compiler thread ${e.state}${e.reason ? ` (${e.reason})` : ''}`;
    case 'queued': return `[tier] queue ${what(e.fn, e.osrPc)}${e.tier2 ? ' (tier 2)' : ''} for the compiler thread`;
    case 'compiling': return `[tier] compiling ${what(e.fn, e.osrPc)}${e.tier2 ? ' (tier 2)' : ''} on the compiler thread`;
    case 'adapter': return `[tier] adapter ${e.adapter} ${e.shape}${e.generic ? ' generic' : ''} (${e.i2c} i2c, ${e.c2i} c2i)`;
    case 'compiled': {
      const which = e.osrPc === null && e.speculation !== null ? `${e.fn} (tier 2: ${e.speculation})` : what(e.fn, e.osrPc);
      return `[tier] compile ${which}: ${e.bytecodeWords} bytecode words -> ${e.size} ${e.unit} in ${Math.round(e.ms * 1000)} us` +
        `${e.thread ? ' on the compiler thread' : ''}${e.baseline ? ', baseline' : ''} (adapters: ${e.i2c} i2c, ${e.c2i} c2i)`;
    }
    case 'installed': return `[tier] install ${e.fn} (table slot ${e.slot}, i2c ${e.shape})`;
    case 'osr': return `[tier] osr ${e.fn} at pc ${e.pc}`;
    case 'osr-failed':
      return `[tier] no osr entr${e.everyHeader ? 'ies' : 'y'} for ${e.fn} (${e.everyHeader ? 'at ' : ''}pc ${e.pc}: ${e.reason})`;
    case 'failed': return `[tier] failed ${e.fn}: ${e.reason}`;
    case 'deopt': return `[deopt] ${e.fn} at pc ${e.pc}: ${e.reason} (${e.count} since install, no frames to materialize)`;
    case 'invalidated': return `[deopt] invalidate ${e.fn} after ${e.deopts} deopts (sites no longer speculated: pc ${e.failedSites.join(', ')})`;
    case 'counts': {
      if (!e.final) return null;
      const c = e.crossings;
      return `[tier] calls: interp->interp ${c.interpToInterp}, interp->compiled ${c.interpToCompiled}, ` +
        `compiled->interp ${c.compiledToInterp}, compiled->compiled ${c.compiledToCompiled}, from the host ${c.hostEntries}` +
        (e.osrExits > 0 ? `; osr exits ${e.osrExits}` : '');
    }
  }
}

/** A function, or its OSR entry at a loop header, as a trace line names it. */
function what(fn: string, osrPc: number | null): string {
  return osrPc === null ? fn : `${fn} (osr entry at pc ${osrPc})`;
}

/** The clock of one instance's events, and the crossing counters. */
export class TierEventLog {
  private readonly t0 = performance.now();
  interpToCompiled = 0;
  compiledToInterp = 0;

  /** Where each event goes. It never throws: what the listener behind it
   *  throws (the embedder's onTierEvent, or the stderr callback that
   *  --trace-tier's lines go to) is the embedder's exception, noted for the
   *  entry by embed/io.ts, and the policy throws it once the change the event
   *  reports is whole (TieringOptions.pendingFault). Thrown from the middle of
   *  an install, it left the function's state and its entry disagreeing. */
  readonly sink: TierEventSink;

  /** withCode: 'compiled' events carry the generated code as text. */
  constructor(listener: TierEventSink, readonly withCode = false) {
    this.sink = (e) => {
      try {
        listener(e);
      } catch {
        // noted by the listener's guard (embed/instance.ts, eventSink)
      }
    };
  }

  now(): number { return performance.now() - this.t0; }

  /** A time another thread took (performance.timeOrigin + its performance.now())
   *  on this clock. */
  at(absoluteMs: number): number { return absoluteMs - performance.timeOrigin - this.t0; }

  /** An i2c entry that counts the calls into it from interpreted frames (not the
   *  host's own entries: `fromHost` tells them apart by the caller's fp). */
  countingI2c<E extends (fp: number, dst: number, fn: number, callerFp: number, resumePc: number, args: number) => void>(entry: E, fromHost: (callerFp: number) => boolean): E {
    return ((fp: number, dst: number, fn: number, callerFp: number, resumePc: number, args: number) => {
      if (!fromHost(callerFp)) this.interpToCompiled++;
      entry(fp, dst, fn, callerFp, resumePc, args);
    }) as E;
  }

  /** A listed i2c entry (runtime.ts, ListedEntry) that counts its calls (all
   *  from interpreted frames). */
  countingListedI2c<E extends (callerFp: number, list: number) => void>(entry: E): E {
    return ((callerFp: number, list: number) => {
      this.interpToCompiled++;
      entry(callerFp, list);
    }) as E;
  }

  /** The generated c2i adapters' entry into the loop (runtime.ts, AdapterEntry),
   *  counting its calls. */
  countingAdapterEntry(enter: (fp: number, pc: number) => number): (fp: number, pc: number) => number {
    return (fp: number, pc: number) => {
      this.compiledToInterp++;
      return enter(fp, pc);
    };
  }

  /** A compiled-to-interpreted entry that counts its calls. */
  countingC2i<E extends (fp: number, entry: number, startPc: number) => void>(enter: E): E {
    return ((fp: number, entry: number, startPc: number) => {
      this.compiledToInterp++;
      enter(fp, entry, startPc);
    }) as E;
  }
}
