/**
 * A dataset from files a user picks or drops: images plus VOC `.xml`, one COCO `.json`, or YOLO `.txt`
 * labels with a names file (`classes.txt` / `*.names`). Pure: the bytes are given, nothing is read.
 * Every failure is an `Error` whose one-line message starts with the file it is about.
 * @module
 */
import {
  cocoDataset,
  type DetectionDataset,
  parseNames,
  parseVocXml,
  parseYoloLabels,
  readImageHeader,
  vocDataset,
  vocImageFile,
  yoloDataset,
} from "@od/data";

/** A picked file: its name (no folder) and contents. */
export interface PickedFile {
  readonly name: string;
  readonly data: Uint8Array;
}

/** File names the page treats as images. */
export const IMAGE_NAME = /\.(jpe?g|png)$/i;
/** Names files of YOLO datasets. */
const NAMES_FILE = /(^classes\.txt$|\.names$)/i;

const stem = (name: string): string => name.replace(/\.[^.]*$/, "");
const base = (file: string): string => file.slice(file.lastIndexOf("/") + 1);
const text = (f: PickedFile): string => new TextDecoder().decode(f.data);

/** The message of an error thrown by od's parsers without its `function:` prefix (the file name leads). */
function withoutFunction(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^[A-Za-z]+: /, "");
}

/**
 * The dataset of the picked files (boxes checked with policy `clip`), and the images by record file.
 * @throws Error naming the file: no annotation or no image picked, an annotation that does not parse,
 *   an annotation naming an image that was not picked, a picked image whose header is not JPEG/PNG.
 */
export function datasetFromFiles(files: readonly PickedFile[]): {
  readonly dataset: DetectionDataset;
  readonly images: ReadonlyMap<string, PickedFile>;
} {
  const images = new Map(files.filter((f) => IMAGE_NAME.test(f.name)).map((f) => [f.name, f]));
  const xml = files.filter((f) => /\.xml$/i.test(f.name));
  const json = files.filter((f) => /\.json$/i.test(f.name));
  const names = files.filter((f) => NAMES_FILE.test(f.name));
  const labels = files.filter((f) => /\.txt$/i.test(f.name) && !NAMES_FILE.test(f.name));
  const picked = files.map((f) => f.name).join(", ") || "nothing picked";
  if (images.size === 0) throw new Error(`${picked}: no image (.jpg, .jpeg, .png) among the picked files`);
  const need = (file: string, by: string): void => {
    if (!images.has(base(file))) throw new Error(`${by}: names image ${base(file)}, which was not picked`);
  };
  let dataset: DetectionDataset;
  if (xml.length > 0) {
    const entries = xml.map((f) => {
      try {
        return { annotationFile: f.name, annotation: parseVocXml(text(f), f.name) };
      } catch (e) {
        throw new Error(withoutFunction(e));
      }
    });
    for (const e of entries) need(vocImageFile(e, ""), e.annotationFile);
    dataset = vocDataset(entries, { imageDir: "", policy: "clip" });
  } else if (json.length === 1) {
    const f = json[0]!;
    try {
      dataset = cocoDataset(text(f), { policy: "clip", file: f.name });
    } catch (e) {
      throw new Error(`${f.name}: ${withoutFunction(e).replace(`${f.name}: `, "")}`);
    }
    for (const r of dataset.images) need(r.file, f.name);
  } else if (json.length > 1) {
    throw new Error(
      `${json.map((f) => f.name).join(", ")}: pick one COCO annotation file, not ${json.length}`,
    );
  } else if (labels.length > 0) {
    const namesFile = names[0];
    if (namesFile === undefined)
      throw new Error(
        `${labels[0]!.name}: YOLO labels need their names file (classes.txt or *.names) picked too`,
      );
    const classNames = parseNamesOf(namesFile);
    const byStem = new Map([...images.values()].map((f) => [stem(f.name), f]));
    const entries = labels.map((f) => {
      const image = byStem.get(stem(f.name));
      if (image === undefined)
        throw new Error(`${f.name}: labels image ${stem(f.name)}.jpg/.png, which was not picked`);
      const header = readImageHeader(image.data);
      if (header === undefined) throw new Error(`${image.name}: not a JPEG or PNG image`);
      let rows: ReturnType<typeof parseYoloLabels>;
      try {
        rows = parseYoloLabels(text(f), f.name);
      } catch (e) {
        throw new Error(withoutFunction(e));
      }
      return {
        labelFile: f.name,
        imageFile: image.name,
        rows,
        size: { width: header.width, height: header.height },
      };
    });
    dataset = yoloDataset(entries, { classNames, policy: "clip" });
  } else {
    throw new Error(
      `${picked}: no annotation file (VOC .xml, one COCO .json, or YOLO .txt with classes.txt)`,
    );
  }
  if (dataset.images.length === 0) throw new Error(`${picked}: the annotations name no image`);
  return { dataset, images: new Map(dataset.images.map((r) => [r.file, images.get(base(r.file))!])) };
}

function parseNamesOf(f: PickedFile): string[] {
  try {
    return parseNames(text(f), f.name);
  } catch (e) {
    throw new Error(withoutFunction(e));
  }
}
