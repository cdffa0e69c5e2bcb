/**
 * @license
 * Copyright 2020 Google LLC. All Rights Reserved.
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 * http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 * =============================================================================
 */
// Vendored from @tensorflow/tfjs-core 4.22.0 by scripts/vendor-tfjs-core.mjs. Do not edit.
// @ts-nocheck
// biome-ignore-all lint: vendored upstream code, kept verbatim
// biome-ignore-all format: vendored upstream code, kept verbatim
import { BatchMatMul, Tensor, matMul } from "@tensorflow/tfjs-core";
import type { BatchMatMulAttrs, GradConfig, NamedAttrMap } from "@tensorflow/tfjs-core";
import { attrsAs } from "../../../internal/tfjs-internal.js";

export const batchMatMulGradConfig: GradConfig = {
  kernelName: BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Tensor, saved: Tensor[], attrs: NamedAttrMap) => {
    const [a, b] = saved;

    const {transposeA, transposeB} = attrsAs<BatchMatMulAttrs>(attrs);

    if (!transposeA && !transposeB) {
      return {
        a: () => matMul(dy, b, false, true),
        b: () => matMul(a, dy, true, false)
      };
    } else if (!transposeA && transposeB) {
      return {
        a: () => matMul(dy, b, false, false),
        b: () => matMul(dy, a, true, false)
      };
    } else if (transposeA && !transposeB) {
      return {
        a: () => matMul(b, dy, false, true),
        b: () => matMul(a, dy, false, false)
      };
    } else {
      return {
        a: () => matMul(b, dy, true, true),
        b: () => matMul(dy, a, true, true)
      };
    }
  }
};
