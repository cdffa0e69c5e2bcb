import { fc, test as ftest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { closestClassName, similarClassNames } from "../src/index.js";

describe("similarClassNames", () => {
  test("example table", () => {
    expect(similarClassNames([])).toEqual([]);
    expect(similarClassNames(["Platelets", "RBC", "WBC"])).toEqual([]); // RBC/WBC: 3 letters, one edit apart
    expect(similarClassNames(["RBC", "WBC", "rbc"])).toEqual([{ names: ["RBC", "rbc"], similarity: "case" }]);
    expect(similarClassNames(["red blood cell", "red_blood_cell", "Red-Blood-Cell"])).toEqual([
      { names: ["red blood cell", "red_blood_cell"], similarity: "spacing" },
      { names: ["red blood cell", "Red-Blood-Cell"], similarity: "spacing" },
      { names: ["red_blood_cell", "Red-Blood-Cell"], similarity: "spacing" },
    ]);
    expect(similarClassNames(["caf\u00e9", "cafe\u0301"])).toEqual([
      { names: ["caf\u00e9", "cafe\u0301"], similarity: "unicode" },
    ]);
    expect(similarClassNames(["\uff32\uff22\uff23", "RBC"])).toEqual([
      { names: ["\uff32\uff22\uff23", "RBC"], similarity: "unicode" },
    ]);
    expect(similarClassNames(["Platelets", "Plateletts", "Platelet", "Paltelets"])).toEqual([
      { names: ["Platelets", "Plateletts"], similarity: "one-edit" },
      { names: ["Platelets", "Platelet"], similarity: "one-edit" },
      { names: ["Platelets", "Paltelets"], similarity: "one-edit" },
    ]);
    // VOC's 20 classes have no near-duplicates
    const voc =
      "aeroplane bicycle bird boat bottle bus car cat chair cow diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor".split(
        " ",
      );
    expect(similarClassNames(voc)).toEqual([]);
  });
  ftest.prop([fc.string({ minLength: 4, maxLength: 12 }).filter((s) => /^[a-z]+$/.test(s)), fc.nat()])(
    "one inserted letter, a changed case or an inserted underscore is always found",
    (s, k) => {
      const i = k % (s.length + 1);
      const variants = [`${s.slice(0, i)}q${s.slice(i)}`, s.toUpperCase(), `${s.slice(0, i)}_${s.slice(i)}`];
      for (const v of variants) {
        if (v === s) continue;
        const found = similarClassNames([s, v]);
        expect(found.length).toBe(1);
        expect(similarClassNames([v, s])[0]?.similarity).toBe(found[0]?.similarity);
      }
    },
  );
});

describe("closestClassName", () => {
  test("example table", () => {
    const names = ["Platelets", "RBC", "WBC"];
    expect(closestClassName("rbc", names)).toBe("RBC");
    expect(closestClassName("Plateletts", names)).toBe("Platelets");
    expect(closestClassName("XBC", names)).toBeUndefined(); // one edit from two 3-letter names: no guess
    expect(closestClassName("Monocyte", names)).toBeUndefined();
    expect(closestClassName("RBC", [])).toBeUndefined();
  });
});
