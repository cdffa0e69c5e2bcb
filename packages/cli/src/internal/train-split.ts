/**
 * The images of a dataset a command looks at, named the way `train` splits them: `train` and `val`
 * are exactly the images a training run with the default config trains and validates on (the same
 * rule: VOC lists `data.trainSplit` / `data.valSplit`, else `trainValSplit` of `@od/train`), `test`
 * the dataset's own test split, `all` every image; any other name is a split of the dataset itself.
 * @module
 */
import path from "node:path";
import type { InvalidBoxPolicy } from "@od/boxes";
import type { DetectionDataset } from "@od/data";
import { resolveTrainConfig, trainValSplit } from "@od/train";
import type { CliIo } from "../io.js";
import { bad, kindOf, resolvePath } from "./common.js";
import { datasetFormat, type Format, openDataset } from "./dataset.js";

/** The images chosen by `--split`. */
export interface ChosenSplit {
  readonly dataset: DetectionDataset;
  /** The `--split` value. */
  readonly name: string;
  /** Where the images come from, e.g. `train's training images (VOC list ImageSets/Main/trainval.txt)`. */
  readonly description: string;
  /** The dataset's format. */
  readonly format: Format;
}

/**
 * Loads the images `split` stands for (default `train`, see the module comment). The defaults of the
 * training config (`resolveTrainConfig`) give the VOC list names, the validation share and the seed,
 * so the images are those `train` uses with a config that does not change them.
 * @throws CliExit (2) when the VOC list of `train` / `val` is missing (naming it and the way out).
 */
export async function openSplit(
  io: CliIo,
  dir: string,
  options: { readonly split?: string; readonly format?: Format; readonly policy: InvalidBoxPolicy },
): Promise<ChosenSplit> {
  const name = options.split ?? "train";
  const format = await datasetFormat(io, dir, options.format);
  const common = { format, policy: options.policy };
  if (name === "all") {
    const { dataset } = await openDataset(io, dir, common);
    return { dataset, name, description: "every image of the dataset", format };
  }
  if (name !== "train" && name !== "val") {
    const { dataset } = await openDataset(io, dir, { ...common, split: name });
    return { dataset, name, description: `the dataset's split "${name}"`, format };
  }
  const config = resolveTrainConfig({ data: { root: dir } });
  const role = name === "train" ? "training" : "validation";
  if (format === "voc") {
    const list = name === "train" ? config.data.trainSplit : config.data.valSplit;
    const file = path.join("ImageSets", "Main", `${list}.txt`);
    if ((await kindOf(path.join(resolvePath(io, dir), file))) !== "file")
      throw bad(
        `--split ${name} means the ${role} images of train, the VOC list ${file}, which ${dir} does not have; pass --split all (every image) or --split <list name>`,
      );
    const { dataset } = await openDataset(io, dir, { ...common, split: list });
    return { dataset, name, description: `train's ${role} images (VOC list ${file})`, format };
  }
  const { dataset: all } = await openDataset(io, dir, common);
  const dataset = trainValSplit(all, config)[name];
  const share = name === "train" ? 1 - config.data.valFraction : config.data.valFraction;
  return {
    dataset,
    name,
    description: `train's ${role} images (seeded split: ${Math.round(share * 100)}% of ${all.images.length} images, seed ${config.train.seed})`,
    format,
  };
}
