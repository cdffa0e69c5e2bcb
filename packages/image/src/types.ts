/**
 * Images whose value range and layout are part of their type.
 *
 * | range       | type           | buffer         | values                       | made by                                    |
 * |-------------|----------------|----------------|------------------------------|--------------------------------------------|
 * | `"0-255"`   | `Uint8Image`   | `Uint8Array`   | integers 0..255              | decoders, `uint8Image`, `toUint8Image`     |
 * | `"0-1"`     | `UnitImage`    | `Float32Array` | [0, 1]                       | `unitImage`, `toUnitImage`, float transforms |
 * | `"network"` | `NetworkImage` | `Float32Array` | the network's input range    | `@od/ssd`'s preprocessing only             |
 *
 * The layout is always `"hwc"`: `[H, W, C]`, row-major, channels last.
 */
import type { NdArray } from "ndarray";

/** The runtime tag every {@link Image} carries in its `kind` field. */
export const IMAGE_KIND = "od.image" as const;

/** Value range of an image's samples (see the table above). */
export type PixelRange = "0-255" | "0-1" | "network";

/**
 * All ranges, in a fixed order.
 * @internal exported for the modules of this package; not re-exported from the index.
 */
export const PIXEL_RANGES: readonly PixelRange[] = ["0-255", "0-1", "network"];

/** Memory layout of an image: `[H, W, C]`, row-major, channels last. The only layout od uses. */
export type PixelLayout = "hwc";

/** The buffer type that holds samples of range `R`: `Uint8Array` for `"0-255"`, `Float32Array` otherwise. */
export type PixelDataOf<R extends PixelRange> = R extends "0-255" ? Uint8Array : Float32Array;

/** Pixel buffer types an image may hold. */
export type PixelData = Uint8Array | Float32Array;

/**
 * An `[H, W, C]` image: an `ndarray` whose value range and layout are type parameters AND runtime tags.
 * Passing a `UnitImage` where a `Uint8Image` is expected fails to compile, and every od boundary
 * re-checks the tags at run time (for plain-JS callers). The brand is a plain string-valued field, as
 * `Boxes`' is, so images made by one installed copy of `@od/image` are accepted by another.
 *
 * ndarray operations (`step`, `hi`, `transpose`, ...) return plain, untagged ndarrays: wrap the result
 * with `asImage` to use it as an image again.
 */
export interface Image<R extends PixelRange = PixelRange> extends NdArray<PixelDataOf<R>> {
  /** Runtime brand, always `"od.image"`. */
  readonly kind: typeof IMAGE_KIND;
  /** Value range of the samples. */
  readonly range: R;
  /** Always `"hwc"`. */
  readonly layout: PixelLayout;
}

/** `[H, W, C]` uint8 samples in [0, 255]: what decoders return. */
export type Uint8Image = Image<"0-255">;

/** `[H, W, C]` float32 samples in [0, 1]: what photometric transforms work in when given floats. */
export type UnitImage = Image<"0-1">;

/** `[H, W, C]` float32 samples in the network's input range, made only by `@od/ssd`'s preprocessing. */
export type NetworkImage = Image<"network">;

/** One image type per range of `R` (distributes over unions): `ImageOf<"0-255" | "0-1">` is `Uint8Image | UnitImage`. */
export type ImageOf<R extends PixelRange> = R extends PixelRange ? Image<R> : never;

/** An image of pixel values (not yet network input): what resizing, augmentation and drawing accept. */
export type PixelImage = Uint8Image | UnitImage;

/** The image type of the same range as `I` (distributes over unions): the result type of resizes. */
export type SameRange<I extends PixelImage> = I extends Uint8Image ? Uint8Image : UnitImage;
