import path from "node:path";
import { makeSample, type Transform } from "@od/augment";
import { renderGrid } from "@od/augment/node";
import type { ImageSize, InvalidBoxPolicy } from "@od/boxes";
import { fileDecoder } from "@od/data/node";
import { buildAugmentation, mergeConfig, resolveTrainConfig } from "@od/train";
import type { CliIo } from "../io.js";
import { bad, out, printJson, readConfigFile, resolvePath, writeOut } from "./common.js";
import { type Format, noteIssues, openDataset } from "./dataset.js";

/** Options of `odet show`. */
export interface ShowOptions {
  readonly data: string;
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  readonly augment: string;
  readonly input?: ImageSize;
  readonly n: number;
  readonly seed: number;
  readonly index: number;
  readonly out: string;
  readonly json?: boolean;
}

/** The augmentation of `--augment`: a preset name or a training config file (its `augment` and `model.inputSize`). */
async function augmentationOf(io: CliIo, o: ShowOptions): Promise<{ transform: Transform; what: string }> {
  const base = { data: { root: o.data } };
  const size = o.input === undefined ? {} : { model: { inputSize: o.input } };
  if (o.augment === "ssd" || o.augment === "light" || o.augment === "none") {
    const config = resolveTrainConfig(mergeConfig(base, { ...size, augment: { preset: o.augment } }));
    return { transform: buildAugmentation(config), what: o.augment };
  }
  if (!/\.(json|ya?ml)$/i.test(o.augment))
    throw bad(
      `--augment must be ssd, light, none or a .json/.yaml training config; got ${JSON.stringify(o.augment)}`,
    );
  const file = await readConfigFile(io, o.augment, "config");
  const config = resolveTrainConfig(mergeConfig(mergeConfig(file, base), size));
  return { transform: buildAugmentation(config), what: `${o.augment} (preset ${config.augment.preset})` };
}

/** `odet show`: an augmentation grid PNG of one sample. */
export async function show(io: CliIo, o: ShowOptions): Promise<void> {
  const { transform, what } = await augmentationOf(io, o);
  const { dataset } = await openDataset(io, o.data, {
    ...(o.format === undefined ? {} : { format: o.format }),
    ...(o.split === undefined ? {} : { split: o.split }),
    policy: o.policy,
  });
  noteIssues(io, dataset);
  const record = dataset.images[o.index];
  if (record === undefined)
    throw bad(`--index ${o.index} is out of range: the dataset has ${dataset.images.length} image(s)`);
  const image = await fileDecoder(dataset)(record);
  const sample = makeSample(image, record.boxes, record.labels);
  const png = renderGrid(sample, transform, { n: o.n, seed: o.seed, labelNames: dataset.classNames });
  const file = resolvePath(io, o.out);
  await writeOut(file, png);
  if (o.json) {
    printJson(io, {
      out: file,
      image: record.id,
      file: path.resolve(dataset.root ?? ".", record.file),
      augment: what,
      n: o.n,
      seed: o.seed,
    });
    return;
  }
  out(io, `wrote ${file}: ${o.n} versions of ${record.id} (augment ${what}, seed ${o.seed})`);
}
