import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { learningRateCurveSvg, lossCurveSvg, mapCurveSvg } from "../src/index.js";

const circles = (svg: string) => svg.split("<circle ").length - 1;

describe("lossCurveSvg", () => {
  test("a log-scale loss curve with its axes titled; non-positive and NaN losses are not drawn", () => {
    const svg = lossCurveSvg([
      [0, 4],
      [1, 2],
      [2, Number.NaN],
      [3, 0],
      [4, 0.5],
    ]);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(">training loss</text>");
    expect(svg).toContain(">step</text>");
    expect(svg).toContain(">loss</text>");
    expect(svg.match(/points="([^"]*)"/)?.[1]?.split(" ").length).toBe(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
  test("one step still shows as a dot; no steps say 'no data'", () => {
    expect(circles(lossCurveSvg([[7, 1.5]]))).toBe(1);
    expect(lossCurveSvg([])).toContain(">no data</text>");
  });
});

describe("learningRateCurveSvg", () => {
  test("learning rate per step", () => {
    const svg = learningRateCurveSvg([
      [0, 0.001],
      [10, 0.01],
    ]);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(">learning rate</text>");
  });
});

describe("mapCurveSvg", () => {
  test("VOC and COCO mAP per epoch with a legend; a single evaluation shows one dot per metric", () => {
    const svg = mapCurveSvg([[1, 0.5]], [[1, 0.25]]);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(">VOC mAP@0.5</text>");
    expect(svg).toContain(">COCO mAP</text>");
    expect(svg).toContain(">epoch</text>");
    expect(circles(svg)).toBe(2);
  });
});
