// The augmentation gallery of docs/guides/augmentations.md: one entry per transform of @od/augment, each
// a call written once as data, so the same value both builds the transform that renders the picture and
// prints the call the page shows. `npm run docs:gallery` (write-augmentation-gallery.ts) writes the page
// and the pictures; test/augmentation-gallery.test.ts checks that every exported transform has an entry
// and that the committed page is the one these entries generate.
import * as augment from "@od/augment";
import { augmentationGrid, makeSample, type Sample, type Transform } from "@od/augment";
import { encodePng } from "@od/augment/node";
import type { DetectionDataset } from "@od/data";
import { fileDecoder, loadVoc } from "@od/data/node";

/** A call of an `@od/augment` export with its arguments, e.g. `brightness({ delta: [-0.25, 0.25] })`. */
export interface Call {
  readonly kind: "call";
  readonly fn: keyof typeof augment;
  readonly args: readonly Arg[];
}

/** A value the page names instead of printing (the source samples of `mosaic` and `copyPaste`). */
export interface Ref {
  readonly kind: "ref";
  readonly name: string;
}

/** An argument: a JSON-like literal, a nested call, or a named value. */
export type Arg = number | string | boolean | Call | Ref | readonly Arg[] | { readonly [key: string]: Arg };

/** One gallery entry: the transform's call (with its parameters) and what it does, in a sentence. */
export interface GalleryEntry {
  /** The export shown (the heading and the picture's file name). */
  readonly name: keyof typeof augment;
  readonly what: string;
  readonly call: Call;
}

/** Everything the gallery's pictures depend on. */
export interface GallerySettings {
  /** Seed of `augmentationGrid` for every entry; the versions of one picture continue one stream. */
  readonly seed: number;
  /** Augmented versions per picture. */
  readonly versions: number;
  /** Cell size of a version, px. */
  readonly cell: { readonly width: number; readonly height: number };
  /** Box outline width and tag font scale, px of the transform's output (thick enough to survive the cell's downscaling). */
  readonly draw: { readonly thickness: number; readonly fontScale: number };
  /** The demo slice's image every transform is applied to. */
  readonly image: string;
  /** Further images of the slice: the `sources` of `mosaic` and `copyPaste`. */
  readonly sources: readonly string[];
}

/** The gallery's settings: seed 1, three versions of 200×150 px each, BCCD image 00000 (sources 00001–00003). */
export const GALLERY_SETTINGS: GallerySettings = {
  seed: 1,
  versions: 3,
  cell: { width: 200, height: 150 },
  draw: { thickness: 4, fontScale: 3 },
  image: "BloodImage_00000",
  sources: ["BloodImage_00001", "BloodImage_00002", "BloodImage_00003"],
};

/** The demo slice the gallery reads, relative to the repository root. */
export const GALLERY_DATA = "packages/cli/demo-data/bccd";

/** Where the page and its pictures go, relative to the repository root. */
export const GALLERY_PAGE = "docs/guides/augmentations.md";
/** The pictures' folder, relative to the repository root. */
export const GALLERY_DIR = "docs/guides/augmentations";

/** The exports of `@od/augment` by name, for {@link buildArg}. */
const AUGMENT: Readonly<Record<string, unknown>> = { ...augment };

const call = (fn: keyof typeof augment, ...args: Arg[]): Call => ({ kind: "call", fn, args });
const sources: Ref = { kind: "ref", name: "sources" };

/** The entries, in the page's order: geometric, then photometric, then mixing, then combinators. */
export const GALLERY: readonly GalleryEntry[] = [
  {
    name: "letterbox",
    what: "Keeps the aspect ratio and inscribes the image into a zero canvas of the network input; `invertRecords` maps boxes back exactly.",
    call: call("letterbox", { width: 320, height: 320 }),
  },
  {
    name: "resize",
    what: "Stretches to a fixed size (bilinear, OpenCV's half-pixel rule).",
    call: call("resize", { width: 320, height: 160 }),
  },
  {
    name: "randomScale",
    what: "Resizes by a random factor and aspect change.",
    call: call("randomScale", { scale: [0.5, 1.2], aspect: [0.8, 1.25] }),
  },
  { name: "horizontalFlip", what: "Mirrors left–right.", call: call("horizontalFlip", { p: 0.5 }) },
  { name: "verticalFlip", what: "Mirrors top–bottom.", call: call("verticalFlip", { p: 0.5 }) },
  {
    name: "rotate90",
    what: 'Rotates by a multiple of 90°, drawn uniformly with `k: "random"`.',
    call: call("rotate90", { k: "random" }),
  },
  {
    name: "crop",
    what: "Cuts a fixed window; boxes are clipped to it and dropped under the filter.",
    call: call("crop", { x: 160, y: 120, width: 320, height: 240, filter: { minVisibility: 0.3 } }),
  },
  {
    name: "ssdCrop",
    what: "SSD's random crop: a window whose IoU with some box is at least a drawn minimum; boxes whose centre leaves it are dropped.",
    call: call("ssdCrop", {}),
  },
  {
    name: "expand",
    what: "SSD's zoom-out: places the image on a larger canvas filled with the mean, so objects get smaller.",
    call: call("expand", { ratio: [1, 3], fill: "mean" }),
  },
  {
    name: "translate",
    what: "Shifts the image; the uncovered area is filled.",
    call: call("translate", { fraction: [0.2, 0.2], fill: "zero" }),
  },
  {
    name: "brightness",
    what: "Adds a random delta (a fraction of the value range). Boxes untouched, as for every colour transform.",
    call: call("brightness", { delta: [-0.25, 0.25] }),
  },
  {
    name: "contrast",
    what: "Scales the contrast by a random factor.",
    call: call("contrast", { factor: [0.5, 1.5] }),
  },
  {
    name: "saturation",
    what: "Scales the saturation by a random factor.",
    call: call("saturation", { factor: [0, 2] }),
  },
  {
    name: "hue",
    what: "Rotates the hue by a random shift, in turns.",
    call: call("hue", { shift: [-0.1, 0.1] }),
  },
  {
    name: "colorJitter",
    what: "SSD's photometric distortion: brightness, contrast, saturation and hue, each with probability `pEach`.",
    call: call("colorJitter", { pEach: 0.5 }),
  },
  { name: "grayscale", what: "Converts to grey, keeping three channels.", call: call("grayscale", {}) },
  {
    name: "noise",
    what: "Adds Gaussian noise with a random standard deviation (a fraction of the value range).",
    call: call("noise", { std: [0.02, 0.08] }),
  },
  { name: "blur", what: "Gaussian blur with a random σ in px.", call: call("blur", { sigma: [1, 3] }) },
  {
    name: "occlusion",
    what: "The recipe's cut-outs: rectangles inside boxes; a box left too little visible is dropped.",
    call: call("occlusion", { fraction: [0.2, 0.5], perBox: 1, fill: "noise" }),
  },
  {
    name: "copyPaste",
    what: "Pastes object crops from other images (`sources`) where they overlap existing boxes little.",
    call: call("copyPaste", { sources, count: [2, 4], classBalanced: true }),
  },
  {
    name: "mosaic",
    what: "Four images (this one and three from `sources`) around a random centre.",
    call: call("mosaic", { width: 640, height: 480, sources }),
  },
  {
    name: "compose",
    what: "Applies transforms in order, one report for all.",
    call: call("compose", [
      call("ssdCrop", {}),
      call("horizontalFlip", { p: 0.5 }),
      call("letterbox", { width: 320, height: 320 }),
    ]),
  },
  {
    name: "oneOf",
    what: "Applies one transform drawn by weight.",
    call: call("oneOf", [call("blur", { sigma: [1, 3] }), call("grayscale", {})], { weights: [1, 1] }),
  },
  {
    name: "ssdPipeline",
    what: 'The SSD training augmentation (`augment.preset: "ssd"` of `odet train`): colour jitter, zoom-out, SSD crop, flip, letterbox.',
    call: call("ssdPipeline", { width: 320, height: 320 }),
  },
];

function isCall(a: Arg): a is Call {
  return typeof a === "object" && !Array.isArray(a) && (a as { kind?: unknown }).kind === "call";
}

function isRef(a: Arg): a is Ref {
  return typeof a === "object" && !Array.isArray(a) && (a as { kind?: unknown }).kind === "ref";
}

/** An argument as TypeScript source: `{ width: 320, height: 320 }`, `[0.5, 1.5]`, `"mean"`, a call, or a name. */
export function printArg(a: Arg): string {
  if (typeof a === "number" || typeof a === "boolean") return String(a);
  if (typeof a === "string") return JSON.stringify(a);
  if (Array.isArray(a)) return `[${a.map(printArg).join(", ")}]`;
  if (isCall(a)) return `${a.fn}(${a.args.map(printArg).join(", ")})`;
  if (isRef(a)) return a.name;
  const entries = Object.entries(a as { readonly [key: string]: Arg });
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${k}: ${printArg(v)}`).join(", ")} }`;
}

/** The value of an argument: a call is made (`@od/augment`'s export of that name), a ref looked up in `refs`. */
export function buildArg(a: Arg, refs: Readonly<Record<string, unknown>>): unknown {
  if (typeof a !== "object") return a;
  if (Array.isArray(a)) return a.map((x) => buildArg(x, refs));
  if (isCall(a)) {
    const f = AUGMENT[a.fn];
    if (typeof f !== "function") throw new Error(`buildArg: @od/augment has no function ${a.fn}`);
    return (f as (...args: unknown[]) => unknown)(...a.args.map((x) => buildArg(x, refs)));
  }
  if (isRef(a)) {
    if (!(a.name in refs)) throw new Error(`buildArg: no value for ${a.name}`);
    return refs[a.name];
  }
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, buildArg(v as Arg, refs)]));
}

/** The picture's file name of an entry, relative to the page's folder. */
export function pictureFile(entry: GalleryEntry): string {
  return `augmentations/${entry.name}.png`;
}

/** The picture of the untouched image. */
export const ORIGINAL_PICTURE = "augmentations/original.png";

/** The page: the settings, the original, then per entry its heading, sentence, call and picture. */
export function galleryMarkdown(
  entries: readonly GalleryEntry[] = GALLERY,
  s: GallerySettings = GALLERY_SETTINGS,
): string {
  const lines = [
    "# Augmentations",
    "",
    "<!-- generated by `npm run docs:gallery` (packages/integration/scripts/write-augmentation-gallery.ts); edit the entries there, not this page -->",
    "",
    "Every transform of `@od/augment`, applied to one image of the BCCD demo slice",
    `(\`${GALLERY_DATA}\`, \`${s.image}\`) with the parameters shown. Each picture holds ${s.versions}`,
    `versions drawn by \`augmentationGrid(sample, transform, { n: ${s.versions}, seed: ${s.seed}, thickness: ${s.draw.thickness}, fontScale: ${s.draw.fontScale} })\`: the`,
    "sample after the transform, with its boxes drawn as `odet show` draws them (`drawSample`), one",
    `colour per class, each letterboxed into a ${s.cell.width}×${s.cell.height} px cell. The same seed gives the`,
    "same pictures. `mosaic` and `copyPaste` take their other images from",
    `\`sources\`: ${s.sources.map((x) => `\`${x}\``).join(", ")}.`,
    "",
    "Try a transform or a training configuration on your own data with",
    "`npx odet show --data path/to/dataset --augment light` (`npx odet show --help` lists the options), or",
    "`renderGrid` of `@od/augment/node` from code. Each transform's options, defaults and units are in the",
    "[API reference](../index.md#api-reference).",
    "",
    "## The image",
    "",
    `![${s.image} with its boxes](${ORIGINAL_PICTURE})`,
    "",
  ];
  for (const e of entries) {
    lines.push(`## ${e.name}`, "", e.what, "", `\`${printArg(e.call)}\``, "");
    lines.push(`![${e.name}](${pictureFile(e)})`, "");
  }
  return lines.join("\n");
}

/** The gallery's sample and sources, decoded with the pure-JS codec (the same bytes on every machine). */
export async function gallerySamples(
  root: string,
  s: GallerySettings = GALLERY_SETTINGS,
): Promise<{ sample: Sample; sources: Sample[]; classNames: readonly string[] }> {
  const ds: DetectionDataset = await loadVoc(`${root}/${GALLERY_DATA}`, { split: "trainval" });
  const decode = fileDecoder(ds, { backend: "js" });
  const sampleOf = async (id: string): Promise<Sample> => {
    const r = ds.images.find((x) => x.id === id);
    if (r === undefined) throw new Error(`gallerySamples: ${id} is not in ${GALLERY_DATA} trainval`);
    return makeSample(await decode(r), r.boxes, r.labels);
  };
  return {
    sample: await sampleOf(s.image),
    sources: await Promise.all(s.sources.map(sampleOf)),
    classNames: ds.classNames,
  };
}

/** The PNG of one entry: `versions` outputs of its transform on the sample, boxes drawn. */
export function renderEntry(
  entry: GalleryEntry,
  samples: { sample: Sample; sources: Sample[]; classNames: readonly string[] },
  s: GallerySettings = GALLERY_SETTINGS,
): Buffer {
  const transform = buildArg(entry.call, { sources: samples.sources }) as Transform;
  return encodePng(
    augmentationGrid(samples.sample, transform, {
      n: s.versions,
      cols: s.versions,
      seed: s.seed,
      cellWidth: s.cell.width,
      cellHeight: s.cell.height,
      ...s.draw,
      labelNames: samples.classNames,
    }),
  );
}

/** The PNG of the untouched sample, in a cell twice the gallery's. */
export function renderOriginal(
  samples: { sample: Sample; classNames: readonly string[] },
  s: GallerySettings = GALLERY_SETTINGS,
): Buffer {
  return encodePng(
    augmentationGrid(samples.sample, augment.compose([]), {
      n: 1,
      seed: s.seed,
      cellWidth: s.cell.width * 2,
      cellHeight: s.cell.height * 2,
      ...s.draw,
      labelNames: samples.classNames,
    }),
  );
}
