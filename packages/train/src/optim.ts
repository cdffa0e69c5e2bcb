import { tf } from "@od/tf";
import { fail } from "./errors.js";

/** Optimizer settings. */
export type OptimizerConfig =
  | {
      /** SGD with momentum, PyTorch semantics: `v ← μ·v + g + λ·w`, `w ← w − lr·v` (Nesterov optional). */
      readonly kind: "sgd";
      readonly momentum?: number;
      readonly nesterov?: boolean;
      /** L2 weight decay λ, applied to conv/dense kernels only (not biases or batch-norm). */
      readonly weightDecay?: number;
    }
  | {
      /** AdamW (Loshchilov & Hutter 2019): Adam moments, decoupled decay `w ← w − lr·λ·w`. */
      readonly kind: "adamw";
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
      readonly weightDecay?: number;
    };

/** A named trainable variable. */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
  /**
   * This variable's learning rate as a multiple of the one passed to {@link Optimizer.apply} (default 1;
   * PyTorch's per-parameter-group `lr`): every part of its update, weight decay included, scales with it.
   */
  readonly lrScale?: number;
  /**
   * Whether weight decay applies to this variable. Default: by its name (od's kernels end
   * in `.w`); a model with other names (torchvision's `.weight` for kernels and batch-norm scales alike)
   * says it per variable, true for kernels (`ParamKind` other than `"vector"`).
   */
  readonly decay?: boolean;
}

/** Optimizer state as plain arrays, for checkpoints: per variable name, its slot arrays; plus the step. */
export interface OptimizerState {
  /** Calls of {@link Optimizer.apply}. */
  readonly step: number;
  readonly slots: Readonly<Record<string, readonly Float32Array[]>>;
  /**
   * Per variable name, the updates it received (its own step count, as PyTorch keeps per parameter:
   * AdamW's bias correction uses it, so a variable first updated late, e.g. a backbone after its frozen
   * epochs, starts as a fresh one). Absent (older checkpoints): `step` for every variable.
   */
  readonly updates?: Readonly<Record<string, number>>;
}

/**
 * True for parameters that weight decay applies to: kernels (names ending in `.w`).
 * @internal exported for the modules of this package; not re-exported from the index.
 */
export function decays(name: string): boolean {
  return name.endsWith(".w");
}

/**
 * A first-order optimizer over named tfjs variables with checkpointable state. The learning rate is
 * passed to every {@link Optimizer.apply}, so any schedule can drive it.
 */
export class Optimizer {
  readonly config: OptimizerConfig;
  readonly #vars: readonly NamedVariable[];
  readonly #slots = new Map<string, tf.Variable[]>();
  readonly #updates = new Map<string, number>();
  #step = 0;

  constructor(config: OptimizerConfig, vars: readonly NamedVariable[]) {
    const fn = "Optimizer";
    if (config.kind !== "sgd" && config.kind !== "adamw") {
      fail(
        "INVALID_CONFIG",
        fn,
        `optimizer.kind must be "sgd" or "adamw"; got ${String((config as { kind?: unknown }).kind)}`,
        { field: "optimizer.kind" },
      );
    }
    const wd = config.weightDecay ?? 0;
    if (!(wd >= 0))
      fail("INVALID_CONFIG", fn, `optimizer.weightDecay must be >= 0; got ${wd}`, {
        field: "optimizer.weightDecay",
      });
    for (const { name, lrScale } of vars)
      if (lrScale !== undefined && !(Number.isFinite(lrScale) && lrScale >= 0))
        fail("INVALID_CONFIG", fn, `lrScale of ${name} must be a finite number >= 0; got ${lrScale}`, {
          field: "lrScale",
          name,
        });
    this.config = config;
    this.#vars = vars;
    const n = config.kind === "sgd" ? 1 : 2;
    for (const { name, variable } of vars) {
      this.#slots.set(
        name,
        Array.from({ length: n }, () => {
          const z = tf.zerosLike(variable);
          const v = tf.variable(z, false);
          z.dispose();
          return v;
        }),
      );
    }
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * One update with gradients `grads[name]` at learning rate `lr` (times each variable's `lrScale`).
   * Variables without a gradient are left alone (slots and update count included, as PyTorch skips a
   * parameter whose `grad` is None); AdamW's bias correction uses each variable's own update count.
   * Disposes nothing it does not own.
   */
  apply(grads: Readonly<Record<string, tf.Tensor>>, baseLr: number): void {
    this.#step += 1;
    tf.tidy(() => {
      for (const { name, variable, lrScale, decay } of this.#vars) {
        const g = grads[name];
        if (g === undefined) continue;
        const t = (this.#updates.get(name) ?? 0) + 1;
        this.#updates.set(name, t);
        const lr = baseLr * (lrScale ?? 1);
        const slots = this.#slots.get(name) as tf.Variable[];
        const c = this.config;
        const wd = (decay ?? decays(name)) ? (c.weightDecay ?? 0) : 0;
        if (c.kind === "sgd") {
          const mu = c.momentum ?? 0.9;
          const v = slots[0]!;
          const gw = wd > 0 ? tf.add(g, tf.mul(variable, wd)) : g;
          const nv = tf.add(tf.mul(v, mu), gw);
          v.assign(nv);
          const upd = c.nesterov ? tf.add(gw, tf.mul(nv, mu)) : nv;
          variable.assign(tf.sub(variable, tf.mul(upd, lr)));
        } else {
          const b1 = c.beta1 ?? 0.9;
          const b2 = c.beta2 ?? 0.999;
          const eps = c.epsilon ?? 1e-8;
          const m = slots[0]!;
          const v = slots[1]!;
          m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
          v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
          const mhat = tf.div(m, 1 - b1 ** t);
          const vhat = tf.div(v, 1 - b2 ** t);
          let w = tf.sub(variable, tf.mul(tf.div(mhat, tf.add(tf.sqrt(vhat), eps)), lr));
          if (wd > 0) w = tf.sub(w, tf.mul(variable, lr * wd));
          variable.assign(w);
        }
      }
    });
  }

  /** A copy of the state (slot values and step count) for a checkpoint. */
  async getState(): Promise<OptimizerState> {
    const slots: Record<string, Float32Array[]> = {};
    const updates: Record<string, number> = {};
    for (const [name, vs] of this.#slots) {
      slots[name] = await Promise.all(vs.map(async (v) => (await v.data()) as Float32Array));
      updates[name] = this.#updates.get(name) ?? 0;
    }
    return { step: this.#step, slots, updates };
  }

  /** Restores a state from {@link getState}. @throws TrainError `BAD_CHECKPOINT` on missing or mis-sized slots. */
  setState(state: OptimizerState): void {
    const fn = "Optimizer.setState";
    for (const [name, vs] of this.#slots) {
      const saved = state.slots[name];
      if (saved === undefined || saved.length !== vs.length)
        fail("BAD_CHECKPOINT", fn, `optimizer state lacks slots for ${name}`, { name });
      vs.forEach((v, i) => {
        const a = saved[i]!;
        if (a.length !== v.size)
          fail(
            "BAD_CHECKPOINT",
            fn,
            `optimizer slot ${name}[${i}] has ${a.length} values; expected ${v.size}`,
            { name },
          );
        tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
      });
      const u = state.updates?.[name] ?? state.step;
      if (!(Number.isInteger(u) && u >= 0))
        fail("BAD_CHECKPOINT", fn, `optimizer update count of ${name} must be an integer >= 0; got ${u}`, {
          name,
        });
      this.#updates.set(name, u);
    }
    this.#step = state.step;
  }

  /** Releases the slot variables. */
  dispose(): void {
    for (const vs of this.#slots.values()) for (const v of vs) v.dispose();
    this.#slots.clear();
  }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (Pascanu et al. 2013; PyTorch
 * `clip_grad_norm_`). Returns new tensors (caller disposes) and the norm before clipping.
 */
export function clipByGlobalNorm(
  grads: Readonly<Record<string, tf.Tensor>>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: number } {
  const names = Object.keys(grads);
  const normT = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))));
  const norm = normT.dataSync()[0]!;
  normT.dispose();
  const scale = Number.isFinite(norm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) out[n] = scale === 1 ? tf.clone(grads[n]!) : tf.mul(grads[n]!, scale);
  return { grads: out, norm };
}
