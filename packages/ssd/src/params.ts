import { PARAM_KINDS, type ParamKind, sameSequence } from "@od/boxes";
import { tf } from "@od/tf";
import { fail } from "./errors.js";

/**
 * The kind a parameter gets when {@link ParamStore.add} is not told: rank ≤ 1 `vector`, rank 2 `dense`,
 * rank 4 `conv2d` (a depthwise filter must be tagged `depthwise` explicitly).
 * @throws SsdError `INVALID_CONFIG` for rank 3 or > 4 (no default).
 */
export function defaultParamKind(shape: readonly number[], name: string): ParamKind {
  if (shape.length <= 1) return "vector";
  if (shape.length === 2) return "dense";
  if (shape.length === 4) return "conv2d";
  return fail(
    "INVALID_CONFIG",
    "ParamStore.add",
    `parameter ${name} has shape [${shape.join(", ")}]: pass its kind (${PARAM_KINDS.join(", ")}) explicitly`,
  );
}

/** One parameter of a {@link ParamStore}: name, layout kind and tfjs shape. */
export interface ParamLayout {
  /** The parameter's name (`backbone.features.0.0.weight`). */
  readonly key: string;
  readonly kind: ParamKind;
  /** Shape in tfjs layout (`[kh, kw, in, out]` for `conv2d`). */
  readonly shape: readonly number[];
}

/** A {@link ParamLayout} with a copy of the parameter's values. */
export interface ParamSnapshot extends ParamLayout {
  /** `numel(shape)` float32 values in tfjs layout. */
  readonly data: Float32Array;
}

/**
 * A flat, ordered tree of named parameters: trainable weights (`tf.Variable`) and non-trainable state
 * (batch-norm running statistics). Names are dotted paths (`backbone.b3.dw.w`); the order of creation
 * is the order of the saved weights.
 */
export class ParamStore {
  readonly #vars = new Map<string, tf.Variable>();
  readonly #trainable = new Set<string>();
  readonly #kinds = new Map<string, ParamKind>();
  readonly #derived = new Map<string, { readonly ids: readonly object[]; readonly values: tf.Tensor[] }>();

  /**
   * Registers a parameter; the store takes ownership of `value`.
   * @param kind its layout (default {@link defaultParamKind} of its shape); checked against the rank
   *   (`conv2d` / `depthwise` rank 4, `dense` rank 2, `vector` rank ≤ 1).
   * @throws SsdError `INVALID_CONFIG` on a duplicate name or a kind that does not fit the shape.
   */
  add(name: string, value: tf.Tensor, trainable: boolean, kind?: ParamKind): tf.Variable {
    if (this.#vars.has(name)) fail("INVALID_CONFIG", "ParamStore.add", `duplicate parameter name ${name}`);
    const k = kind ?? defaultParamKind(value.shape, name);
    checkKind(name, value.shape, k);
    const v = tf.variable(value, trainable, `${name.replace(/[^A-Za-z0-9_./-]/g, "_")}_${uniqueSuffix()}`);
    value.dispose();
    this.#vars.set(name, v);
    if (trainable) this.#trainable.add(name);
    this.#kinds.set(name, k);
    return v;
  }

  /** The layout kind of parameter `name`. @throws SsdError `INVALID_CONFIG` when absent. */
  kind(name: string): ParamKind {
    const k = this.#kinds.get(name);
    if (k === undefined) fail("INVALID_CONFIG", "ParamStore.kind", `no parameter named ${name}`);
    return k;
  }

  /** The parameter called `name`. @throws SsdError `INVALID_CONFIG` when absent. */
  get(name: string): tf.Variable {
    const v = this.#vars.get(name);
    if (v === undefined) fail("INVALID_CONFIG", "ParamStore.get", `no parameter named ${name}`);
    return v;
  }

  /** Names in creation order. */
  names(): string[] {
    return [...this.#vars.keys()];
  }

  /**
   * Every parameter's name, layout kind and tfjs shape, in creation order: the targets `loadStateDict`
   * of `@od/torch` takes.
   */
  layout(): ParamLayout[] {
    return this.names().map((key) => ({ key, kind: this.kind(key), shape: this.get(key).shape }));
  }

  /**
   * {@link layout} with a copy of each parameter's float32 values (tfjs layout): what `exportStateDict`
   * of `@od/torch` takes.
   */
  async snapshot(): Promise<ParamSnapshot[]> {
    return Promise.all(
      // a copy: the cpu backend's data() is the variable's own array
      this.layout().map(async (p) => ({
        ...p,
        data: ((await this.get(p.key).data()) as Float32Array).slice(),
      })),
    );
  }

  /** True when `name` is trained by the optimizer. */
  isTrainable(name: string): boolean {
    return this.#trainable.has(name);
  }

  /** The trainable variables, in creation order (what `optimizer.minimize(f, true, varList)` takes). */
  trainableVariables(): tf.Variable[] {
    return [...this.#vars.entries()].filter(([n]) => this.#trainable.has(n)).map(([, v]) => v);
  }

  /** Number of scalar values in trainable parameters. */
  countTrainable(): number {
    return this.trainableVariables().reduce((s, v) => s + v.size, 0);
  }

  /**
   * Tensors computed from parameters and kept until one of them changes, e.g. weights with batch norm
   * folded in for inference: `compute` runs again only when a source variable was assigned since (a
   * variable's data id changes on `assign`). The store owns the results (disposed on recompute and by
   * {@link dispose}); callers must not dispose them.
   * @param key cache key, unique per derived value.
   * @param sources names of the parameters `compute` reads.
   */
  derived(key: string, sources: readonly string[], compute: () => tf.Tensor[]): readonly tf.Tensor[] {
    const ids = sources.map((n) => this.get(n).dataId as object);
    const hit = this.#derived.get(key);
    if (hit !== undefined && sameSequence(hit.ids, ids)) {
      return hit.values;
    }
    if (hit !== undefined) tf.dispose(hit.values);
    const values = tf.tidy(compute).map((t) => tf.keep(t));
    this.#derived.set(key, { ids, values });
    return values;
  }

  /** Disposes every variable and derived tensor. */
  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    for (const d of this.#derived.values()) tf.dispose(d.values);
    this.#vars.clear();
    this.#trainable.clear();
    this.#kinds.clear();
    this.#derived.clear();
  }
}

function checkKind(name: string, shape: readonly number[], kind: ParamKind): void {
  const ok =
    kind === "vector"
      ? shape.length <= 1
      : kind === "dense"
        ? shape.length === 2
        : (kind === "conv2d" || kind === "depthwise") && shape.length === 4;
  if (!ok)
    fail(
      "INVALID_CONFIG",
      "ParamStore.add",
      `parameter ${name} of shape [${shape.join(", ")}] cannot be of kind ${JSON.stringify(kind)} (${PARAM_KINDS.join(", ")})`,
    );
}

let counter = 0;
function uniqueSuffix(): number {
  counter += 1;
  return counter;
}

/**
 * FNV-1a hash of a string to a 31-bit integer: derives one seed per parameter from the model seed and
 * the parameter name, so adding a layer does not change the initial values of the others.
 */
export function seedFor(seed: number, name: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h & 0x7fffffff;
}

/**
 * He (Kaiming) normal initial values for a conv kernel, truncated at 2σ, σ = √(2 / fanIn) (He et al. 2015).
 * Deterministic: the same seed and name give the same bytes on every backend (tfjs draws the numbers in JS).
 */
export function heNormal(shape: readonly number[], fanIn: number, seed: number, name: string): tf.Tensor {
  return tf.truncatedNormal([...shape], 0, Math.sqrt(2 / fanIn), "float32", seedFor(seed, name));
}
